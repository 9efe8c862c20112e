"""The composition root: settings in, one store per process out; every service receives it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from schemas.cells import parse_iso
from schemas.criteria import CriteriaSet, load_catalogue
from services.core.clock import Clock, FixedClock, SystemClock
from services.core.workbook import Workbook
from services.storage import SpreadsheetLayout, StoreError
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore

if TYPE_CHECKING:
    from services.storage.sheets import SheetsStore
    from services.storage.sheets_retry import RetryPolicy

T = TypeVar("T")
DEFAULT_SQLITE_PATH = "data/3cd.sqlite"
DEFAULT_REFRESH_SECONDS = 60.0  # the longest a hand edit in the sheet takes to reach the screens
ENGINES = ("sqlite", "sheets")
ENV = {
    "engine": "TCD_STORE_ENGINE",
    "sqlite_path": "TCD_SQLITE_PATH",
    "demo": "TCD_DEMO",
    "now": "TCD_NOW",
}


REAL_DATA_WITHOUT_LOGIN = (
    "Kho dữ liệu {path} chứa dữ liệu thật (không phải dữ liệu mẫu do chế độ dùng thử tạo ra), nên "
    "không thể mở chế độ dùng thử: ai vào cũng sẽ xem và sửa được dữ liệu của mọi người. Hãy chọn "
    "một trong hai cách: (1) cấu hình đăng nhập — thêm mục [auth] vào .streamlit/secrets.toml (xem "
    "README, phần Login); hoặc (2) nếu chỉ muốn dùng thử, làm mới về dữ liệu mẫu bằng lệnh "
    "`make demo-reset` (kho hiện tại được đổi tên để giữ lại, không bị xoá)."
)


FROZEN_CLOCK_WITH_LOGIN = (
    "Đồng hồ cố định (TCD_NOW hoặc [clock] now) không được dùng khi đã cấu hình đăng nhập [auth]: "
    "mọi hạn chót và thời điểm ghi nhật ký sẽ sai. Hãy bỏ TCD_NOW / [clock] now. Nếu đây là buổi "
    "tập huấn, đặt thêm [clock] training = true (mọi trang sẽ hiện cảnh báo đồng hồ cố định)."
)


class SettingsError(Exception):
    """The settings cannot start the app; the message says what to change."""


@dataclass(frozen=True)
class Settings:
    engine: str = "sqlite"
    sqlite_path: str = DEFAULT_SQLITE_PATH
    demo: bool = True
    now: str = ""  # a frozen clock, for training and tests only
    training: bool = False  # [clock] training: a frozen clock allowed with [auth], with a banner
    login: bool = False  # an [auth] section exists: people sign in with st.login (OIDC)
    stewards: tuple[
        str, ...
    ] = ()  # [access] stewards: province staff until the users tab lists them
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS  # [store] refresh_seconds: read-cache TTL
    spreadsheet_key: str = ""  # [sheets] spreadsheet_key
    # [sheets.service_account]: the JSON key. A secret: never in repr, logs or messages.
    service_account: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sign_in(self) -> str:
        """The sign-in these settings allow before the store is opened: 'oidc' with [auth], else
        'demo' when they allow the demo on the embedded store; otherwise refuse (fail closed)."""
        return self.sign_in_mode(demo_store=True)

    def sign_in_mode(self, demo_store: bool) -> str:
        """'oidc' when [auth] is configured; 'demo' only when the settings allow the demo *and* the
        store carries the demo mark (made by the demo seeder, nothing a person made); else refuse.

        Fail closed: a store with real data never opens without a real login, whatever the
        settings or the environment say.
        """
        if self.login:
            return "oidc"
        if not (self.demo and self.engine == "sqlite"):
            raise SettingsError(
                "Chưa cấu hình đăng nhập: hãy thêm mục [auth] vào .streamlit/secrets.toml (xem "
                "README, phần Login). Không có đăng nhập, ứng dụng chỉ chạy ở chế độ dùng thử "
                "(demo = true) với kho dữ liệu nhúng."
            )
        if not demo_store:
            raise SettingsError(REAL_DATA_WITHOUT_LOGIN.format(path=self.sqlite_path))
        return "demo"

    @classmethod
    def from_sources(
        cls, secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Environment variables win over `.streamlit/secrets.toml` ([store] and [clock] tables)."""
        secrets = secrets or {}
        environ = os.environ if environ is None else environ
        store = dict(secrets.get("store", {}))
        sheets = dict(secrets.get("sheets", {}))
        values: dict[str, Any] = {
            "engine": store.get("engine", cls.engine),
            "sqlite_path": store.get("sqlite_path", cls.sqlite_path),
            "demo": store.get("demo", cls.demo),
            "now": dict(secrets.get("clock", {})).get("now", ""),
            "training": dict(secrets.get("clock", {})).get("training", False) is True,
            "login": bool(secrets.get("auth")),
            "stewards": tuple(
                str(e).strip().casefold()
                for e in dict(secrets.get("access", {})).get("stewards", ())
            ),
            "refresh_seconds": store.get("refresh_seconds", cls.refresh_seconds),
            "spreadsheet_key": str(sheets.get("spreadsheet_key", "")).strip(),
            "service_account": dict(sheets.get("service_account", {})),
        }
        for key, var in ENV.items():
            if environ.get(var):
                values[key] = environ[var]
        if isinstance(values["demo"], str):
            values["demo"] = values["demo"].strip().lower() in {"1", "true", "yes", "có"}
        if values["engine"] not in ENGINES:
            raise SettingsError(
                f"Kho dữ liệu '{values['engine']}' chưa được hỗ trợ; hãy dùng engine = \"sqlite\" "
                'hoặc engine = "sheets".'
            )
        values["refresh_seconds"] = _seconds(values["refresh_seconds"])
        settings = cls(**values)
        if settings.login and settings.now and not settings.training:
            raise SettingsError(FROZEN_CLOCK_WITH_LOGIN)
        if settings.engine == "sheets":
            settings.check_sheets()
        return settings

    def check_sheets(self) -> None:
        """The [sheets] settings are complete and the key parses; no request is sent."""
        from services.storage import sheets_connect

        if not self.spreadsheet_key:
            raise SettingsError(
                "Chưa khai báo bảng tính: hãy đặt spreadsheet_key trong mục [sheets] của "
                ".streamlit/secrets.toml (phần mã nằm giữa /d/ và /edit trong địa chỉ bảng tính)."
            )
        try:
            sheets_connect.credentials(self.service_account)
        except sheets_connect.SheetsSetupError as exc:
            raise SettingsError(str(exc)) from None


def _seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 1 <= seconds <= 3600:
        raise SettingsError(
            f"refresh_seconds = {value!r} không hợp lệ: hãy đặt một số giây từ 1 đến 3600 "
            f"(mặc định {DEFAULT_REFRESH_SECONDS:g})."
        )
    return seconds


@dataclass
class Runtime:
    """What every service needs: the shared cached store, the clock, the criteria catalogue."""

    store: CachedStore
    clock: Clock
    criteria: dict[str, CriteriaSet]
    settings: Settings = field(default_factory=Settings)
    # Recognises the demo mark on a store (services.demo.mark.is_demo_store, given by the
    # composition root); without it no store is a demo store.
    demo_mark: Callable[[Any], bool] | None = field(default=None, repr=False)

    _last: Workbook | None = field(default=None, repr=False)
    _layout: tuple[float, SpreadsheetLayout] | None = field(default=None, repr=False)
    _layout_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def spreadsheet_layout(self) -> SpreadsheetLayout | None:
        """The Google Sheet's locale, time zone, tabs and header positions, at most
        `refresh_seconds` old (two reads per refresh); None for the embedded store."""
        describe = getattr(self.store.inner, "layout", None)
        if describe is None:
            return None
        with self._layout_lock:
            now = time.monotonic()
            if self._layout is None or now - self._layout[0] >= self.settings.refresh_seconds:
                self._layout = (now, describe())
            return self._layout[1]

    @property
    def sign_in(self) -> str:
        """'oidc' or 'demo' for this store now, or SettingsError (`Settings.sign_in_mode`).

        The demo mark is checked again for each data version: an import made through the demo
        picker ends demo mode at once, not at the next start.
        """
        if self.settings.login:
            return "oidc"
        mark = self.demo_mark
        demo_store = mark is not None and self.store.snapshot().derived(
            "demo-mark", lambda: mark(self.store)
        )
        return self.settings.sign_in_mode(demo_store)

    def workbook(self) -> Workbook:
        """The parsed current snapshot, parsed once per data version for every session."""
        return self.derived("workbook", lambda wb: wb)

    def derived(self, key: Any, compute: Callable[[Workbook], T]) -> T:
        """Something computed from the current workbook once per data version, for every session.

        The workbook and the memo come from the same snapshot, so a refresh in between can never
        file an old result under a new version.
        """
        snapshot = self.store.snapshot()
        wb = snapshot.derived("workbook", lambda: self._parse(snapshot.tabs))
        return wb if key == "workbook" else snapshot.derived(key, lambda: compute(wb))

    def _parse(self, tabs_rows) -> Workbook:
        self._last = Workbook.parse(tabs_rows, previous=self._last)
        self._last._earlier = {}  # only one generation back is kept
        return self._last


def build_runtime(settings: Settings, client: Any = None) -> Runtime:
    """Open the configured store once per process.

    The embedded store is seeded with the demo when it is empty and the demo sign-in is on; a
    start with [auth] ends demo mode on it for good; a store with real data and no [auth] is
    refused (SettingsError). A Google Sheet needs a real sign-in (fail closed), is never seeded,
    and gets its missing tabs created. `client` is a gspread client to use instead of one signed in from the settings.
    """

    from services import demo  # the composition root alone imports the demo

    clock: Clock = FixedClock(parse_iso(settings.now)) if settings.now else SystemClock()
    if settings.engine == "sheets":
        settings.sign_in  # noqa: B018 - raises unless [auth] is configured
        inner: Any = open_sheets_store(settings, client)
    else:
        inner = SqlStore.at_path(Path(settings.sqlite_path))
    store = CachedStore(inner, ttl=settings.refresh_seconds)
    runtime = Runtime(store, clock, load_catalogue(), settings, demo_mark=demo.is_demo_store)
    if settings.engine == "sqlite":
        demo.settle(runtime)
    runtime.sign_in  # noqa: B018 - raises when real data would open without a login
    return runtime


def open_sheets_store(
    source: Settings | Mapping[str, Any],
    client: Any = None,
    retry: RetryPolicy | None = None,
) -> SheetsStore:
    """The Google Sheets store the settings name, its missing tabs created; uncached.

    `source` is a Settings or the secrets mapping (`[sheets]` table). Without `client` one is
    signed in with the service-account key. Raises SettingsError with a Vietnamese reason:
    missing key or account, invalid key, sheet not shared (403), not found (404), network down.
    Used at start-up and by the command that copies the embedded store into a Google Sheet.
    """
    from services.storage import sheets_connect

    settings = source if isinstance(source, Settings) else _sheets_settings(source)
    try:
        if client is None:
            settings.check_sheets()
            client = sheets_connect.client_for(settings.service_account)
        account = str(settings.service_account.get("client_email", ""))
        return sheets_connect.open_spreadsheet(client, settings.spreadsheet_key, account, retry)
    except StoreError as exc:
        raise SettingsError(str(exc)) from exc


def _sheets_settings(secrets: Mapping[str, Any]) -> Settings:
    sheets = dict(secrets.get("sheets", {}))
    return Settings(
        engine="sheets",
        spreadsheet_key=str(sheets.get("spreadsheet_key", "")).strip(),
        service_account=dict(sheets.get("service_account", {})),
    )
