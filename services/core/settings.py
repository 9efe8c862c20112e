"""The settings a deployment starts from: `.streamlit/secrets.toml`, environment variables winning.

Parsing only: nothing here opens a store or sends a request (that is `services.bootstrap`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_SQLITE_PATH = "data/3cd.sqlite"
DEFAULT_REFRESH_SECONDS = 60.0  # the longest a hand edit in the sheet takes to reach the screens
ENGINES = ("sqlite", "sheets", "postgresql")
# How often a server asks a shared database whether another server wrote: their writes show within
# this plus one refresh (well under 2 s). One tiny query a second per server.
SHARED_DATABASE_CHECK_SECONDS = 1.0
ENV = {
    "engine": "TCD_STORE_ENGINE",
    "sqlite_path": "TCD_SQLITE_PATH",
    "database_url": "TCD_DATABASE_URL",
    "pool_size": "TCD_POOL_SIZE",
    "pool_max_overflow": "TCD_POOL_MAX_OVERFLOW",
    "pool_timeout": "TCD_POOL_TIMEOUT",
    "demo": "TCD_DEMO",
    "now": "TCD_NOW",
    "scope": "TCD_STORE_SCOPE",
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


SCOPE_ON_SHEETS = (
    "Không thể giới hạn phạm vi (scope) khi dữ liệu nằm trên Google Sheets: mỗi bảng tính đã là "
    "dữ liệu của một tỉnh. Hãy bỏ scope trong mục [store] của .streamlit/secrets.toml (hoặc biến "
    "môi trường TCD_STORE_SCOPE), hoặc chuyển dữ liệu sang PostgreSQL nếu nhiều tỉnh dùng chung "
    "một kho (xem docs/scaling.md)."
)


SCOPE_UNKNOWN = (
    "Không tìm thấy đơn vị có mã {scope} (mục [store] scope hoặc biến môi trường TCD_STORE_SCOPE) "
    "trong kho dữ liệu, nên máy chủ không biết phục vụ đơn vị nào. Hãy kiểm tra lại mã đơn vị (cột "
    "Mã trên trang Đơn vị), hoặc bỏ scope để máy chủ phục vụ toàn bộ kho dữ liệu."
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
    # [store] database_url (engine = "postgresql"): it may hold a password, so never in repr.
    database_url: str = field(default="", repr=False)
    pool_size: int = 5  # [store] pool_size: connections each app server keeps open
    pool_max_overflow: int = 10  # [store] pool_max_overflow: extra connections at a peak
    pool_timeout: float = 30.0  # [store] pool_timeout: seconds to wait for a free connection
    # [store] scope: the id of the unit whose subtree this server serves ("" = the whole store);
    # SQL engines only (docs/scaling.md)
    scope: str = ""
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
        values = _from_secrets(secrets or {})
        environ = os.environ if environ is None else environ
        for key, var in ENV.items():
            if environ.get(var):
                values[key] = environ[var]
        values["scope"] = str(values["scope"]).strip()
        if isinstance(values["demo"], str):
            values["demo"] = values["demo"].strip().lower() in {"1", "true", "yes", "có"}
        if values["engine"] not in ENGINES:
            raise SettingsError(
                f"Kho dữ liệu '{values['engine']}' chưa được hỗ trợ; hãy dùng engine = \"sqlite\", "
                'engine = "sheets" hoặc engine = "postgresql".'
            )
        values["refresh_seconds"] = _seconds(values["refresh_seconds"])
        for key, low, high in (("pool_size", 1, 200), ("pool_max_overflow", 0, 500)):
            values[key] = int(_number(key, values[key], low, high))
        values["pool_timeout"] = _number("pool_timeout", values["pool_timeout"], 1, 600)
        settings = cls(**values)
        settings.check_combination()
        return settings

    def check_combination(self) -> None:
        """Settings that are each valid but do not go together are refused, saying what to fix."""
        if self.login and self.now and not self.training:
            raise SettingsError(FROZEN_CLOCK_WITH_LOGIN)
        if self.engine == "sheets" and self.scope:
            raise SettingsError(SCOPE_ON_SHEETS)
        if self.engine == "sheets":
            self.check_sheets()
        if self.engine == "postgresql" and not self.database_url.startswith(
            ("postgresql://", "postgres://", "postgresql+psycopg://")
        ):
            raise SettingsError(
                "Chưa khai báo cơ sở dữ liệu PostgreSQL: hãy đặt database_url trong mục [store] "
                "của .streamlit/secrets.toml (hoặc biến môi trường TCD_DATABASE_URL), dạng "
                "postgresql://người_dùng:mật_khẩu@máy_chủ:5432/tên_csdl."
            )

    def check_sheets(self) -> None:
        """The [sheets] settings name a spreadsheet; the key itself is checked by the bootstrap."""
        if not self.spreadsheet_key:
            raise SettingsError(
                "Chưa khai báo bảng tính: hãy đặt spreadsheet_key trong mục [sheets] của "
                ".streamlit/secrets.toml (phần mã nằm giữa /d/ và /edit trong địa chỉ bảng tính)."
            )


def _from_secrets(secrets: Mapping[str, Any]) -> dict[str, Any]:
    """The settings' raw values from the secrets' tables, defaults where a key is absent."""
    store = dict(secrets.get("store", {}))
    sheets = dict(secrets.get("sheets", {}))
    clock = dict(secrets.get("clock", {}))
    defaults = Settings()
    return {
        "engine": store.get("engine", defaults.engine),
        "sqlite_path": store.get("sqlite_path", defaults.sqlite_path),
        "demo": store.get("demo", defaults.demo),
        "now": clock.get("now", ""),
        "training": clock.get("training", False) is True,
        "login": bool(secrets.get("auth")),
        "stewards": tuple(
            str(e).strip().casefold() for e in dict(secrets.get("access", {})).get("stewards", ())
        ),
        "refresh_seconds": store.get("refresh_seconds", defaults.refresh_seconds),
        "spreadsheet_key": str(sheets.get("spreadsheet_key", "")).strip(),
        "service_account": dict(sheets.get("service_account", {})),
        "database_url": str(store.get("database_url", "")).strip(),
        "pool_size": store.get("pool_size", defaults.pool_size),
        "pool_max_overflow": store.get("pool_max_overflow", defaults.pool_max_overflow),
        "pool_timeout": store.get("pool_timeout", defaults.pool_timeout),
        "scope": str(store.get("scope", "")).strip(),
    }


def _number(key: str, value: Any, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise SettingsError(
            f"{key} = {value!r} không hợp lệ: hãy đặt một số từ {low:g} đến {high:g} trong mục "
            "[store]."
        )
    return number


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
