"""Copy the embedded SQLite store into an empty Google Sheet: `python -m services.data.copy_to_sheets`.

Reads the settings like the app does (`.streamlit/secrets.toml`, environment variables winning):
the SQLite file from `[store] sqlite_path` / `TCD_SQLITE_PATH` (or `--sqlite`), the spreadsheet
and its service account from `[sheets]`. Then:

1. creates the missing tabs of the spreadsheet (Vietnamese headers, app columns as plain text);
2. reads every tab of the SQLite store and checks it exactly as an .xlsx import is checked;
3. refuses if the sheet already holds rows that are not this very copy (a copy interrupted
   half-way is completed by running the command again: ids are kept and rows already copied are
   skipped);
4. appends the rows tab by tab in chunks of `--chunk` rows (each one `spreadsheets:batchUpdate`
   plus one read: a few dozen requests for a province, well under the 60 per minute quota; 429
   answers are retried with backoff by the engine), printing progress;
5. reads everything back and compares it with the source, cell by cell.

`--xlsx FILE` copies an .xlsx export (screen Xuất / nhập dữ liệu) instead, checked the same way.

Stop the app (or at least its writers) while copying, so the source does not change underneath.
The general command between any two engines is `python -m services.data.copy_store`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from services.bootstrap import load_settings
from services.core.errors import DomainError
from services.core.messages import describe
from services.core.settings import SettingsError
from services.data.copy_store import CHUNK, _secrets, open_endpoint, print_report, run_copy
from services.storage import StoreError


def main(
    argv: Sequence[str] | None = None,
    client: Any = None,
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the copy; 0 when every row is in the sheet and reads back equal, 1 otherwise.

    `client` (a gspread client), `secrets` and `environ` are for tests; by default the client
    signs in with the service account of the settings.
    """
    parser = argparse.ArgumentParser(
        prog="python -m services.data.copy_to_sheets",
        description="Sao chép kho dữ liệu nhúng (SQLite) sang một Google Sheet trống.",
    )
    parser.add_argument("--sqlite", help="tệp SQLite nguồn (mặc định: theo cài đặt)")
    parser.add_argument("--xlsx", help="chép từ tệp .xlsx đã xuất thay cho kho SQLite")
    parser.add_argument("--chunk", type=int, default=CHUNK, help="số dòng mỗi lần ghi")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(
            _secrets() if secrets is None else secrets, os.environ if environ is None else environ
        )
        spec = f"xlsx:{args.xlsx}" if args.xlsx else f"sqlite:{args.sqlite or settings.sqlite_path}"
        source = open_endpoint(spec, settings, as_source=True)
        print(f"Nguồn: {spec.partition(':')[2]}")
        target = open_endpoint("sheets", settings, client)
        print(f"Đích: {target.name}")
        report = run_copy(source, target, settings, args.chunk)
    except (SettingsError, DomainError, StoreError) as exc:
        reason = describe(exc) if isinstance(exc, StoreError) else str(exc)
        print(f"Không sao chép được: {reason}", file=sys.stderr)
        return 1
    print_report(report, "Google Sheets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
