"""Opening the Google spreadsheet the settings name: service-account credentials, clear refusals.

The credentials are the service account's JSON key, pasted as the `[sheets.service_account]` table
of `.streamlit/secrets.toml`, read with google-auth's
`service_account.Credentials.from_service_account_info` and limited to the Sheets scope
(https://google-auth.readthedocs.io/en/stable/reference/google.oauth2.service_account.html). gspread
gets them as `gspread.Client(auth=credentials)` and opens the spreadsheet with `open_by_key` only:
no Drive API, so the account needs nothing but the sheet being shared with it
(https://docs.gspread.org/en/v6.2.1/oauth2.html#for-bots-using-service-account).

Every failure is a `SheetsSetupError` whose Vietnamese message says what to fix. No message, and
no exception chained to it, carries the key material.
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
WHERE = "mục [sheets.service_account] trong .streamlit/secrets.toml"


class SheetsSetupError(StoreError):
    """The configured spreadsheet cannot be opened; the message says what to change."""


def credentials(info: Mapping[str, Any]) -> service_account.Credentials:
    """Service-account credentials for the Sheets scope, checked offline (no request is sent)."""
    if not info:
        raise SheetsSetupError(
            f"Chưa có khóa tài khoản dịch vụ Google: hãy dán nội dung tệp khóa JSON vào {WHERE} "
            "(xem README, phần kết nối Google Sheets)."
        )
    missing = [name for name in REQUIRED_FIELDS if not str(info.get(name, "")).strip()]
    if missing:
        raise SheetsSetupError(
            f"Khóa tài khoản dịch vụ trong {WHERE} thiếu trường: {', '.join(missing)}. "
            "Hãy dán lại đầy đủ nội dung tệp khóa JSON tải từ Google Cloud."
        )
    if info["type"] != "service_account":
        raise SheetsSetupError(
            f"Khóa trong {WHERE} không phải khóa tài khoản dịch vụ (type phải là "
            '"service_account"). Hãy tạo khóa JSON cho một tài khoản dịch vụ.'
        )
    try:
        return service_account.Credentials.from_service_account_info(
            {k: str(v) for k, v in info.items()}, scopes=list(SCOPES)
        )
    except Exception:  # noqa: BLE001 - any parse failure; its text may quote the key, so not kept
        pass
    raise SheetsSetupError(
        f"Khóa riêng (private_key) trong {WHERE} không hợp lệ. Hãy dán lại nguyên văn giá trị "
        "private_key từ tệp khóa JSON, kể cả các dòng BEGIN/END và ký tự \\n."
    )


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
        raise SheetsSetupError(
            "Chưa khai báo bảng tính: hãy đặt spreadsheet_key trong mục [sheets] của "
            ".streamlit/secrets.toml (phần mã nằm giữa /d/ và /edit trong địa chỉ bảng tính)."
        )
    try:
        store = SheetsStore.open(client, key.strip(), timeout, retry)
        store.ensure_tabs()
    except Exception as error:  # noqa: BLE001 - every failure becomes one clear message
        raise SheetsSetupError(_reason(error, account)) from error
    return store


def _reason(error: BaseException, account: str) -> str:
    """What went wrong opening the spreadsheet, in words a steward can act on."""
    causes = [error]
    while causes[-1].__cause__ is not None and len(causes) < 5:
        causes.append(causes[-1].__cause__)
    who = f" ({account})" if account else ""
    for cause in causes:
        status = status_of(cause)
        if isinstance(cause, gspread.exceptions.SpreadsheetNotFound) or status == 404:
            return (
                "Không tìm thấy bảng tính có mã đã khai báo (spreadsheet_key). Hãy kiểm tra lại "
                "mã trong địa chỉ bảng tính."
            )
        if isinstance(cause, PermissionError) or status == 403:
            return (
                f"Tài khoản dịch vụ{who} chưa được chia sẻ bảng tính, hoặc chỉ được xem. Hãy "
                f"mở bảng tính, bấm Chia sẻ và thêm {account or 'e-mail client_email của khóa'} "
                "với quyền Người chỉnh sửa."
            )
        if isinstance(cause, auth_errors.RefreshError) or status == 401:
            return (
                "Google không chấp nhận khóa tài khoản dịch vụ (khóa có thể đã bị xoá hoặc thu "
                "hồi). Hãy tạo khóa JSON mới và dán lại vào .streamlit/secrets.toml."
            )
    if any(isinstance(c, NETWORK) for c in causes):
        return (
            "Không kết nối được Google Sheets (mất mạng, quá thời gian chờ hoặc Google đang quá "
            "tải). Hãy kiểm tra kết nối mạng của máy chủ rồi khởi động lại ứng dụng."
        )
    return f"Không mở được bảng tính trên Google Sheets: {error}"
