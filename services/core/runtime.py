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


class SettingsError(Exception):
    """The settings cannot start the app; the message says what to change."""


@dataclass(frozen=True)
class Settings:
    engine: str = "sqlite"
    sqlite_path: str = DEFAULT_SQLITE_PATH
    demo: bool = True
    now: str = ""  # a frozen clock, for training and tests only
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
        """'oidc' when [auth] is configured, else 'demo' on the embedded demo store; else refuse.

        Fail closed: a store that is not the embedded demo never runs without a real login.
        """
        if self.login:
            return "oidc"
        if self.demo and self.engine == "sqlite":
            return "demo"
        raise SettingsError(
            "Chưa cấu hình đăng nhập: hãy thêm mục [auth] vào .streamlit/secrets.toml (xem README, "
            "phần Login). Không có đăng nhập, ứng dụng chỉ chạy ở chế độ dùng thử (demo = true) "
            "với kho dữ liệu nhúng."
        )

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

    The embedded store is seeded with the demo when it is empty and the demo sign-in is on. A
    Google Sheet needs a real sign-in (fail closed), is never seeded, and gets its missing tabs
    created. `client` is a gspread client to use instead of one signed in from the settings.
    """

    clock: Clock = FixedClock(parse_iso(settings.now)) if settings.now else SystemClock()
    if settings.engine == "sheets":
        settings.sign_in  # noqa: B018 - raises unless [auth] is configured
        inner: Any = open_sheets_store(settings, client)
    else:
        inner = SqlStore.at_path(Path(settings.sqlite_path))
    store = CachedStore(inner, ttl=settings.refresh_seconds)
    runtime = Runtime(store, clock, load_catalogue(), settings)
    if settings.engine == "sqlite" and settings.sign_in == "demo":  # never with a real login
        # Imported here: the demo's modules import this one (a top-level import is a cycle
        # that stops `streamlit run app.py` and every command importing this module first).
        from services import demo

        demo.seed_if_empty(runtime, year_end=True)
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
