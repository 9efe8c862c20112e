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
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from schemas import tabs
from schemas.cells import parse_iso
from schemas.tabs import ALL_TABS
from services.core import records
from services.data import transfer
from services.core.access import Actor, Role
from services.core.clock import SystemClock
from services.core.errors import DomainError
from services.core.messages import describe
from services.bootstrap import load_settings, open_sheets_store, open_sqlite
from services.core.settings import SettingsError
from services.storage import Row, Store, StoreError

CHUNK = 2000  # rows per batchUpdate; a request of this size stays far below Google's limits
SECRETS = Path(".streamlit/secrets.toml")
COPIER = Actor("lenh-sao-chep", "Lệnh sao chép dữ liệu sang Google Sheets", Role.PROVINCE, "")


class CopyFailed(DomainError):
    """The copy was refused or did not read back as the source; the message says why."""


@dataclass(frozen=True)
class CopyReport:
    created_tabs: list[str]
    counts: dict[str, int]  # rows per tab title, as read back
    written: int
    already: int
    requests: int  # store writes (chunks)


def copy_store(
    source: Store,
    target: Any,
    at: datetime,
    say: Callable[[str], None] = print,
    chunk: int = CHUNK,
    source_name: str = "kho dữ liệu nhúng",
) -> CopyReport:
    """Copy every row of `source` into the empty store `target`, then verify it cell by cell."""
    data = source.read([tab.name for tab in ALL_TABS])
    upload = transfer.Upload(
        source_name,
        {tab.name: [r for r in data[tab.name] if not transfer.blank(r.cells)] for tab in ALL_TABS},
    )
    upload.problems += transfer.validate(upload.rows, transfer.sheet_titles())
    return copy_upload(upload, target, at, say, chunk)


def copy_upload(
    upload: transfer.Upload,
    target: Any,
    at: datetime,
    say: Callable[[str], None] = print,
    chunk: int = CHUNK,
) -> CopyReport:
    """Write checked rows (from a store or an .xlsx export) into the empty `target`, verify them."""
    if upload.blocking:
        listing = "\n".join(
            f"  - {p.sheet}, dòng {p.row}, cột {p.column}: {p.message}"
            for p in upload.blocking[:30]
        )
        more = len(upload.blocking) - 30
        raise CopyFailed(
            f"Nguồn có {len(upload.blocking)} lỗi cần sửa trước khi sao chép; chưa ghi gì:\n"
            + listing
            + (f"\n  … và {more} lỗi khác." if more > 0 else "")
        )
    created = list(target.ensure_tabs())
    if created:
        say(f"Đã tạo {len(created)} trang tính: {', '.join(tabs.TABS[n].title for n in created)}.")
    last: dict[str, int] = {}

    def progress(title: str, done: int, total: int) -> None:
        if total and last.get(title) != done:
            last[title] = done
            say(f"Đang chép bảng {title}: {done}/{total} dòng")

    result = transfer.import_workbook(target, COPIER, upload, at, progress, chunk)
    counts = verify(target, upload)
    return CopyReport(created, counts, result.written, result.already, result.chunks)


def verify(target: Store, upload: transfer.Upload) -> dict[str, int]:
    """Read the target back: every source row, in order, cell for cell; rows per tab title."""
    got = target.read([tab.name for tab in ALL_TABS])
    counts: dict[str, int] = {}
    differences: list[str] = []
    for tab in ALL_TABS:
        wanted = [_cells(tab, r) for r in upload.rows[tab.name]]
        kept_ids = {c["id"] for c in wanted}
        stored = [
            _cells(tab, r)
            for r in got[tab.name]
            if not transfer.blank(r.cells) and not _trail(tab, r, kept_ids)
        ]
        counts[tab.title] = len(stored)
        if stored != wanted:
            differences.append(f"{tab.title}: nguồn {len(wanted)} dòng, đích {len(stored)} dòng")
    if differences:
        raise CopyFailed(
            "Đọc lại Google Sheets không khớp với kho nguồn: "
            + "; ".join(differences)
            + ". Đừng dùng bảng tính này; hãy kiểm tra rồi chạy lại lệnh."
        )
    return counts


def _cells(tab: tabs.Tab, row: Row) -> dict[str, str]:
    return {f: row.cells.get(f, "") for f in tab.fields}


def _trail(tab: tabs.Tab, row: Row, source_ids: set[str]) -> bool:
    """An audit row written by an import or copy into this store (not a row of the source)."""
    record_id = row.cells.get("id", "")
    return (
        tab is tabs.AUDIT_LOG
        and record_id.startswith(records.IMPORT_AUDIT)
        and record_id not in source_ids
    )


# ---- the command ----------------------------------------------------------------------------------


def _secrets(path: Path = SECRETS) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


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
        path = Path(args.xlsx or args.sqlite or settings.sqlite_path)
        if not path.is_file():
            raise CopyFailed(f"Không tìm thấy tệp dữ liệu nguồn {path}; chưa ghi gì.")
        print(f"Nguồn: {path}")
        upload = transfer.read_workbook(path.read_bytes(), path.name) if args.xlsx else None
        target = open_sheets_store(settings, client)
        print(f"Đích: Google Sheet {settings.spreadsheet_key}")
        at = parse_iso(settings.now) if settings.now else SystemClock().now()
        chunk = max(1, args.chunk)
        if upload is not None:
            report = copy_upload(upload, target, at, chunk=chunk)
        else:
            report = copy_store(
                open_sqlite(path), target, at, chunk=chunk, source_name=path.name
            )
    except (SettingsError, DomainError, StoreError) as exc:
        reason = describe(exc) if isinstance(exc, StoreError) else str(exc)
        print(f"Không sao chép được: {reason}", file=sys.stderr)
        return 1
    print("Xong. Số dòng trên Google Sheets (đã đọc lại và so khớp từng ô với nguồn):")
    for title, n in report.counts.items():
        print(f"  {title}: {n}")
    print(
        f"Đã ghi {report.written} dòng trong {report.requests} lần ghi"
        + (f"; {report.already} dòng đã có từ lần chạy trước." if report.already else ".")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
