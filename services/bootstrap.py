"""The composition root: settings in, one runtime per process out.

The only module that imports the storage engines and the demo. Pages get the runtime from here
(through `pages/_ui.py`); commands (the copy to Google Sheets) open their stores here; tests hand
in their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from schemas.cells import parse_iso
from schemas.criteria import load_catalogue
from services import demo
from services.core.clock import Clock, FixedClock, SystemClock
from services.core.messages import describe
from services.core.runtime import Runtime
from services.core.settings import Settings, SettingsError
from services.storage import StoreError, sheets_connect
from services.storage.cache import CachedStore
from services.storage.sheets import SheetsStore
from services.storage.sheets_retry import RetryPolicy
from services.storage.sql import SqlStore


def load_settings(
    secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """The settings from the secrets and the environment, a Sheets key checked offline.

    Raises SettingsError with a Vietnamese reason; no request is sent.
    """
    settings = Settings.from_sources(secrets, os.environ if environ is None else environ)
    if settings.engine == "sheets":
        check_service_account(settings)
    return settings


def check_service_account(settings: Settings) -> None:
    """The service-account key of the settings parses into credentials (no request is sent)."""
    try:
        sheets_connect.credentials(settings.service_account)
    except sheets_connect.SheetsSetupError as exc:
        raise SettingsError(describe(exc)) from None


def open_sqlite(path: str | Path) -> SqlStore:
    """The embedded store in the SQLite file at `path`, uncached (created when missing)."""
    return SqlStore.at_path(Path(path))


def build_runtime(settings: Settings, client: Any = None) -> Runtime:
    """Open the configured store once per process.

    The embedded store is seeded with the demo when it is empty and the demo sign-in is on; a
    start with [auth] ends demo mode on it for good; a store with real data and no [auth] is
    refused (SettingsError). A Google Sheet needs a real sign-in (fail closed), is never seeded,
    and gets its missing tabs created. `client` is a gspread client to use instead of one signed
    in from the settings.
    """

    clock: Clock = FixedClock(parse_iso(settings.now)) if settings.now else SystemClock()
    if settings.engine == "sheets":
        settings.sign_in  # noqa: B018 - raises unless [auth] is configured
        inner: Any = open_sheets_store(settings, client)
    else:
        inner = open_sqlite(settings.sqlite_path)
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
    settings = source if isinstance(source, Settings) else _sheets_settings(source)
    try:
        if client is None:
            settings.check_sheets()
            check_service_account(settings)
            client = sheets_connect.client_for(settings.service_account)
        account = str(settings.service_account.get("client_email", ""))
        return sheets_connect.open_spreadsheet(client, settings.spreadsheet_key, account, retry)
    except StoreError as exc:
        raise SettingsError(describe(exc)) from exc


def _sheets_settings(secrets: Mapping[str, Any]) -> Settings:
    sheets = dict(secrets.get("sheets", {}))
    return Settings(
        engine="sheets",
        spreadsheet_key=str(sheets.get("spreadsheet_key", "")).strip(),
        service_account=dict(sheets.get("service_account", {})),
    )
