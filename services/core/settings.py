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
