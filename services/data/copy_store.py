"""Copy a whole store between any two engines: `python -m services.data.copy_store --from … --to …`.

    --from sqlite[:FILE] | postgresql[:URL] | sheets | xlsx:FILE
    --to   sqlite[:FILE] | postgresql[:URL] | sheets

Without a FILE or URL the settings say which (`.streamlit/secrets.toml`, environment variables
winning, as the app reads them): `[store] sqlite_path`, `[store] database_url`, `[sheets]`. Then:

1. creates what the target lacks (Google Sheets: its tabs; SQL: its tables);
2. reads every tab of the source and checks it exactly as an .xlsx import is checked;
3. refuses if the target already holds rows that are not this very copy (a copy interrupted
   half-way is completed by running the command again: ids are kept, rows already copied skipped);
4. appends the rows tab by tab in chunks of `--chunk` rows, each chunk one all-or-nothing write
   with its audit row, printing progress;
5. reads everything back and compares it with the source, cell by cell.

Stop the app (or at least its writers) while copying, so the source does not change underneath.
`python -m services.data.copy_to_sheets` is the same command with the Google Sheet as target.
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
from services.bootstrap import (
    close_store,
    load_settings,
    open_database,
    open_sheets_store,
    open_sqlite,
)
from services.core import records
from services.core.access import Actor, Role
from services.core.clock import SystemClock
from services.core.errors import DomainError
from services.core.messages import describe
from services.core.settings import Settings, SettingsError
from services.data import transfer
from services.storage import Row, Store, StoreError

CHUNK = 2000  # rows per batchUpdate; a request of this size stays far below Google's limits
SECRETS = Path(".streamlit/secrets.toml")
COPIER = Actor("lenh-sao-chep", "Lệnh sao chép kho dữ liệu", Role.PROVINCE, "")


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
    target: Store,
    at: datetime,
    say: Callable[[str], None] = print,
    chunk: int = CHUNK,
    source_name: str = "kho dữ liệu nhúng",
    target_name: str = "Google Sheets",
) -> CopyReport:
    """Copy every row of `source` into the empty store `target`, then verify it cell by cell."""
    data = source.read([tab.name for tab in ALL_TABS])
    upload = transfer.Upload(
        source_name,
        {tab.name: [r for r in data[tab.name] if not transfer.blank(r.cells)] for tab in ALL_TABS},
    )
    upload.problems += transfer.validate(upload.rows, transfer.sheet_titles())
    return copy_upload(upload, target, at, say, chunk, target_name)


def copy_upload(
    upload: transfer.Upload,
    target: Any,
    at: datetime,
    say: Callable[[str], None] = print,
    chunk: int = CHUNK,
    target_name: str = "Google Sheets",
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
    created = target.ensure_tabs()
    if created:
        say(f"Đã tạo {len(created)} trang tính: {', '.join(tabs.TABS[n].title for n in created)}.")
    last: dict[str, int] = {}

    def progress(title: str, done: int, total: int) -> None:
        if total and last.get(title) != done:
            last[title] = done
            say(f"Đang chép bảng {title}: {done}/{total} dòng")

    result = transfer.import_workbook(target, COPIER, upload, at, progress, chunk)
    counts = verify(target, upload, target_name)
    return CopyReport(created, counts, result.written, result.already, result.chunks)


def verify(
    target: Store, upload: transfer.Upload, target_name: str = "Google Sheets"
) -> dict[str, int]:
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
            f"Đọc lại {target_name} không khớp với kho nguồn: "
            + "; ".join(differences)
            + ". Đừng dùng kho đích này; hãy kiểm tra rồi chạy lại lệnh."
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

KINDS = ("sqlite", "postgresql", "sheets", "xlsx")


@dataclass
class Endpoint:
    """One side of a copy: a store (or an .xlsx file, as a source) and how to name it to people."""

    name: str
    store: Any = None
    upload: transfer.Upload | None = None
    identity: str = ""  # two endpoints with the same identity are the same store


def open_endpoint(
    spec: str, settings: Settings, client: Any = None, as_source: bool = False
) -> Endpoint:
    """`kind[:where]` to an open store; the settings fill in a missing `where`."""
    kind, _, where = spec.partition(":")
    if kind not in KINDS or (kind == "xlsx" and not as_source):
        allowed = "sqlite, postgresql, sheets" + (", xlsx:TỆP" if as_source else "")
        raise CopyFailed(f"Không hiểu '{spec}': hãy dùng {allowed}.")
    if kind == "xlsx" or kind == "sqlite":
        path = Path(where or ("" if kind == "xlsx" else settings.sqlite_path))
        if as_source and not path.is_file():
            raise CopyFailed(f"Không tìm thấy tệp dữ liệu nguồn {path}; chưa ghi gì.")
        if kind == "xlsx":
            upload = transfer.read_workbook(path.read_bytes(), path.name)
            return Endpoint(f"tệp {path.name}", upload=upload, identity=f"file:{path.resolve()}")
        return Endpoint(f"SQLite {path}", open_sqlite(path), identity=f"file:{path.resolve()}")
    if kind == "postgresql":
        url = where or settings.database_url
        if not url:
            raise CopyFailed(
                "Chưa có địa chỉ cơ sở dữ liệu PostgreSQL: hãy viết postgresql:postgresql://… "
                "hoặc đặt database_url trong mục [store]."
            )
        database = open_database(url)
        shown = database.engine.url.render_as_string(hide_password=True)
        return Endpoint(f"PostgreSQL {shown}", database, identity=f"pg:{shown}")
    return Endpoint(
        f"Google Sheets {settings.spreadsheet_key}",
        open_sheets_store(settings, client),
        identity=f"sheets:{settings.spreadsheet_key}",
    )


def _secrets(path: Path = SECRETS) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def run_copy(
    source: Endpoint, target: Endpoint, settings: Settings, chunk: int = CHUNK
) -> CopyReport:
    """Copy `source` into `target` (never a store into itself), printing progress."""
    if source.identity == target.identity:
        raise CopyFailed(f"Nguồn và đích là cùng một kho ({target.name}); chưa ghi gì.")
    at = parse_iso(settings.now) if settings.now else SystemClock().now()
    chunk = max(1, chunk)
    if source.upload is not None:
        return copy_upload(source.upload, target.store, at, chunk=chunk, target_name=target.name)
    return copy_store(
        source.store,
        target.store,
        at,
        chunk=chunk,
        source_name=source.name,
        target_name=target.name,
    )


def print_report(report: CopyReport, target_name: str) -> None:
    print(f"Xong. Số dòng trong {target_name} (đã đọc lại và so khớp từng ô với nguồn):")
    for title, n in report.counts.items():
        print(f"  {title}: {n}")
    print(
        f"Đã ghi {report.written} dòng trong {report.requests} lần ghi"
        + (f"; {report.already} dòng đã có từ lần chạy trước." if report.already else ".")
    )


def main(
    argv: Sequence[str] | None = None,
    client: Any = None,
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the copy; 0 when every row is in the target and reads back equal, 1 otherwise.

    `client` (a gspread client), `secrets` and `environ` are for tests.
    """
    parser = argparse.ArgumentParser(
        prog="python -m services.data.copy_store",
        description="Sao chép toàn bộ một kho dữ liệu sang một kho trống khác.",
    )
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        help="sqlite[:TỆP], postgresql[:URL], sheets hoặc xlsx:TỆP",
    )
    parser.add_argument(
        "--to", dest="target", required=True, help="sqlite[:TỆP], postgresql[:URL] hoặc sheets"
    )
    parser.add_argument("--chunk", type=int, default=CHUNK, help="số dòng mỗi lần ghi")
    args = parser.parse_args(argv)
    opened: list[Endpoint] = []
    try:
        settings = load_settings(
            _secrets() if secrets is None else secrets, os.environ if environ is None else environ
        )
        source = open_endpoint(args.source, settings, client, as_source=True)
        opened.append(source)
        print(f"Nguồn: {source.name}")
        target = open_endpoint(args.target, settings, client)
        opened.append(target)
        print(f"Đích: {target.name}")
        report = run_copy(source, target, settings, args.chunk)
    except (SettingsError, DomainError, StoreError) as exc:
        reason = describe(exc) if isinstance(exc, StoreError) else str(exc)
        print(f"Không sao chép được: {reason}", file=sys.stderr)
        return 1
    finally:
        for end in opened:
            close_store(end.store)
    print_report(report, target.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
