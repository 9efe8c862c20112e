"""The composition root: settings in, one runtime per process out.

The only module that imports the storage engines and the demo. Pages get the runtime from here
(through `pages/_ui.py`); commands (the copy to Google Sheets) open their stores here; tests hand
in their own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from schemas.cells import parse_iso
from schemas.criteria import load_catalogue
from services import demo
from services.core.clock import Clock, FixedClock, SystemClock
from services.core.messages import describe
from services.core.runtime import Runtime
from services.core.settings import (
    SCOPE_UNKNOWN,
    SHARED_DATABASE_CHECK_SECONDS,
    Settings,
    SettingsError,
)
from services.core.xlsx_read import FileRefused, Table, limit_rows
from services.storage import StoreError, sheets_connect
from services.storage.cache import CachedStore
from services.storage.sheets import SheetsStore
from services.storage.sheets_retry import RetryPolicy
from services.storage.sql import SqlStore
from services.storage.sql_dialects import Pool


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
    """Open the configured store once per process, for the app's screens.

    The embedded store is seeded with the demo when it is empty and the demo sign-in is on; a
    start with [auth] ends demo mode on it for good; a store with real data and no [auth] is
    refused (SettingsError). A Google Sheet needs a real sign-in (fail closed), is never seeded,
    and gets its missing tabs created. `client` is a gspread client to use instead of one signed
    in from the settings.
    """
    if settings.engine != "sqlite":
        settings.sign_in  # noqa: B018 - raises unless [auth] is configured
    runtime = open_runtime(settings, client)
    if settings.engine == "sqlite":
        demo.settle(runtime)
    runtime.sign_in  # noqa: B018 - raises when real data would open without a login
    return runtime


def open_runtime(settings: Settings, client: Any = None) -> Runtime:
    """The runtime on the configured store, for a command run by the server's administrator
    (the reminders' cron job): nobody signs in through it, so no sign-in is checked and nothing
    is seeded. The app's screens use `build_runtime`."""
    clock: Clock = FixedClock(parse_iso(settings.now)) if settings.now else SystemClock()
    check_every = 5.0
    if settings.engine == "sheets":
        inner: Any = open_sheets_store(settings, client)
    elif settings.engine == "postgresql":
        inner = open_postgres_store(settings)
        check_every = SHARED_DATABASE_CHECK_SECONDS
    else:
        inner = SqlStore.at_path(Path(settings.sqlite_path), scope=settings.scope)
    if not isinstance(inner, SheetsStore) and not inner.holds_scope_unit():
        close_store(inner)
        raise SettingsError(SCOPE_UNKNOWN.format(scope=settings.scope))
    store = CachedStore(inner, ttl=settings.refresh_seconds, check_every=check_every)
    return Runtime(store, clock, load_catalogue(), settings, demo_mark=demo.is_demo_store)


def close_store(store: Any) -> None:
    """Let go of a store a command opened (a SQL engine's pooled connections)."""
    if isinstance(store, SqlStore):
        store.engine.dispose()


def open_database(url: str) -> SqlStore:
    """The SQL store at a SQLAlchemy URL (a PostgreSQL server), schema created; uncached."""
    return SqlStore(url)


def open_postgres_store(settings: Settings) -> SqlStore:
    """The PostgreSQL store the settings name, its schema created or upgraded; uncached; scoped
    to the settings' unit subtree when they name one (`[store] scope`)."""
    pool = Pool(settings.pool_size, settings.pool_max_overflow, settings.pool_timeout)
    try:
        return SqlStore(settings.database_url, pool, scope=settings.scope)
    except StoreError as exc:
        raise SettingsError(describe(exc)) from exc


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


SHEET_LINK = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


def read_sheet_tab(settings: Settings, link: str, tab: str = "", client: Any = None) -> Table:
    """One tab of a Google Sheet staff keep (a unit or user list), read with the deployment's
    service account under the same row limit as a file. The sheet must be shared with that
    account; FileRefused says what to do when it is not (or the link or tab is wrong)."""
    found = SHEET_LINK.search(link)
    key = found.group(1) if found else link.strip()
    account = service_account_email(settings)
    try:
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,}", key):
            raise sheets_connect.SheetsSetupError("not_a_sheet_link")
        if client is None:
            check_service_account(settings)
            client = sheets_connect.client_for(settings.service_account)
        rows = sheets_connect.read_tab(client, key, tab, account)
    except StoreError as exc:
        raise FileRefused(describe(exc)) from exc
    except SettingsError as exc:  # no usable service-account key in the settings
        raise FileRefused(str(exc)) from exc
    return Table(tab.strip() or "Trang 1", limit_rows(rows))


def service_account_email(settings: Settings) -> str:
    """The e-mail a Google Sheet must be shared with for the app to read it ('' if not set)."""
    return str(settings.service_account.get("client_email", ""))
