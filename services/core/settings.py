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
        """The [sheets] settings name a spreadsheet; the key itself is checked by the bootstrap."""
        if not self.spreadsheet_key:
            raise SettingsError(
                "Chưa khai báo bảng tính: hãy đặt spreadsheet_key trong mục [sheets] của "
                ".streamlit/secrets.toml (phần mã nằm giữa /d/ và /edit trong địa chỉ bảng tính)."
            )


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
