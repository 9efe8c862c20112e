"""Settings of reminders: the app's address written in messages, and the [smtp] server.

`.streamlit/secrets.toml` (environment variables win: TCD_APP_URL, TCD_SMTP_HOST, TCD_SMTP_PORT,
TCD_SMTP_SECURITY, TCD_SMTP_PASSWORD, TCD_SMTP_SENDER):

    [app]
    url = "https://3cd.tinhdoan.example.vn"   # the address units open to register

    [smtp]
    host = "smtp.example.vn"
    port = 587
    security = "starttls"     # "starttls", "ssl" or "none"
    username = "nhacnho@tinhdoan.example.vn"
    password = "…"
    sender = "Tỉnh đoàn Hưng Yên <nhacnho@tinhdoan.example.vn>"
    pause_seconds = 2         # between two messages (the server's sending limits)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_URL = "http://localhost:8501"


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = ""
    sender: str = ""
    pause_seconds: float = 2.0


@dataclass(frozen=True)
class ReminderSettings:
    app_url: str = DEFAULT_URL
    smtp: Smtp | None = None  # None: no e-mail; messages are copied or opened as mailto links


def reminder_settings(
    secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> ReminderSettings:
    secrets, env = secrets or {}, environ or {}
    url = env.get("TCD_APP_URL") or str(dict(secrets.get("app", {})).get("url", "") or "")
    section = dict(secrets.get("smtp", {}))
    host = env.get("TCD_SMTP_HOST") or str(section.get("host", "") or "")
    smtp = None
    if host:
        smtp = Smtp(
            host=host,
            port=int(env.get("TCD_SMTP_PORT") or section.get("port", 587)),
            security=(
                env.get("TCD_SMTP_SECURITY") or str(section.get("security", "starttls"))
            ).lower(),
            username=str(section.get("username", "")),
            password=env.get("TCD_SMTP_PASSWORD") or str(section.get("password", "")),
            sender=env.get("TCD_SMTP_SENDER")
            or str(section.get("sender", "") or section.get("username", "") or f"nhac-nho@{host}"),
            pause_seconds=float(section.get("pause_seconds", 2.0)),
        )
    return ReminderSettings(url or DEFAULT_URL, smtp)
