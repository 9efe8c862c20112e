"""Opening the Google spreadsheet the settings name: service-account credentials, clear refusals.

The credentials are the service account's JSON key, pasted as the `[sheets.service_account]` table
of `.streamlit/secrets.toml`, read with google-auth's
`service_account.Credentials.from_service_account_info` and limited to the Sheets scope
(https://google-auth.readthedocs.io/en/stable/reference/google.oauth2.service_account.html). gspread
gets them as `gspread.Client(auth=credentials)` and opens the spreadsheet with `open_by_key` only:
no Drive API, so the account needs nothing but the sheet being shared with it
(https://docs.gspread.org/en/v6.2.1/oauth2.html#for-bots-using-service-account).

Every failure is a `SheetsSetupError` whose code says what to fix (worded in Vietnamese by
services.core.messages). No error's data, and no exception chained to it, carries the key material.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gspread
import requests
from google.auth import exceptions as auth_errors
from google.oauth2 import service_account

from services.storage import StoreError, StoreUnavailable
from services.storage.sheets import DEFAULT_TIMEOUT, SheetsStore
from services.storage.sheets_retry import RetryPolicy, status_of

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
REQUIRED_FIELDS = ("type", "client_email", "private_key", "token_uri")
NETWORK = (requests.exceptions.RequestException, auth_errors.TransportError, StoreUnavailable)


class SheetsSetupError(StoreError):
    """The configured spreadsheet cannot be opened; the code (and its data) says what to change."""

    code = "sheets_setup"


def credentials(info: Mapping[str, Any]) -> service_account.Credentials:
    """Service-account credentials for the Sheets scope, checked offline (no request is sent)."""
    if not info:
        raise SheetsSetupError("no_service_account")
    missing = [name for name in REQUIRED_FIELDS if not str(info.get(name, "")).strip()]
    if missing:
        raise SheetsSetupError("service_account_fields", missing=missing)
    if info["type"] != "service_account":
        raise SheetsSetupError("not_service_account")
    try:
        return service_account.Credentials.from_service_account_info(
            {k: str(v) for k, v in info.items()}, scopes=list(SCOPES)
        )
    except Exception:  # noqa: BLE001 - any parse failure; its text may quote the key, so not kept
        pass
    raise SheetsSetupError("bad_private_key")


def client_for(info: Mapping[str, Any]) -> gspread.Client:
    """A gspread client signed in as the service account."""
    return gspread.Client(auth=credentials(info))


def open_spreadsheet(
    client: gspread.Client,
    key: str,
    account: str = "",
    retry: RetryPolicy | None = None,
    timeout: float | tuple[float, float] | None = DEFAULT_TIMEOUT,
) -> SheetsStore:
    """The store on spreadsheet `key`, its tabs created when missing (`ensure_tabs`).

    `account` is the service account's e-mail, named in the message when the sheet is not shared.
    """
    if not key.strip():
        raise SheetsSetupError("no_spreadsheet_key")
    try:
        store = SheetsStore.open(client, key.strip(), timeout, retry)
        store.ensure_tabs()
    except Exception as error:  # noqa: BLE001 - every failure becomes one clear message
        raise _reason(error, account) from error
    return store


def _reason(error: BaseException, account: str) -> SheetsSetupError:
    """What went wrong opening the spreadsheet, as a code a steward's message is made from."""
    causes = [error]
    while causes[-1].__cause__ is not None and len(causes) < 5:
        causes.append(causes[-1].__cause__)
    for cause in causes:
        status = status_of(cause)
        if isinstance(cause, gspread.exceptions.SpreadsheetNotFound) or status == 404:
            return SheetsSetupError("spreadsheet_not_found")
        if isinstance(cause, PermissionError) or status == 403:
            return SheetsSetupError("not_shared", account=account)
        if isinstance(cause, auth_errors.RefreshError) or status == 401:
            return SheetsSetupError("key_refused")
    if any(isinstance(c, NETWORK) for c in causes):
        return SheetsSetupError("no_network")
    return SheetsSetupError("cannot_open", reason=str(error))


def read_tab(client: gspread.Client, key: str, tab: str = "", account: str = "") -> list[list[str]]:
    """The cells of one tab (the first when `tab` is empty) of a spreadsheet shared with the
    service account, as the sheet shows them: a unit or user list staff keep in Google Sheets."""
    try:
        book = client.open_by_key(key.strip())
        sheet = book.worksheet(tab) if tab.strip() else book.get_worksheet(0)
        return [[str(v) for v in row] for row in sheet.get_values()]
    except gspread.exceptions.WorksheetNotFound as error:
        raise SheetsSetupError("tab_not_found", tab=tab) from error
    except Exception as error:  # noqa: BLE001 - every failure becomes one clear message
        raise _reason(error, account) from error
