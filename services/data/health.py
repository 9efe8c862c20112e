"""Dữ liệu: every problem a person made by hand in the workbook, where to fix it, and adoption.

The list comes from what the screens already read — the parsed snapshot's `RowProblem`s, rows
without an id, and (on Google Sheets) the spreadsheet's headers, locale and time zone — so it
costs no extra read of the rows. Nothing here rewrites a problem row: the only write is adoption,
which gives a row a person added without an id its id and version, in that row only.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from schemas.cells import clean_id
from schemas.tabs import ALL_TABS, AUDIT_LOG, TABS, Tab
from services.core import records
from services.core.access import Actor, ensure_province
from services.core.errors import NotAllowed, NotFound
from services.core.messages import describe
from services.core.runtime import Runtime
from services.core.workbook import (
    DUPLICATE,
    DUPLICATE_ID,
    MISSING,
    NO_ID,
    REFERENCE,
    UNTIDY_ID,
    VALUE,
    RowProblem,
)
from services.storage import Conflict, Row, SpreadsheetLayout, StoreError
from services.storage.repairs import LEFT, REPLACED, RESTORED, UNREPAIRED, WITHDRAWN
from services.year_end import assessments

HEADER, SETTINGS, RECOMPUTED, MISDIRECTED = "header", "settings", "recomputed", "misdirected"
KIND_LABELS = {  # kind -> what the filter and the table call it; in the order they are listed
    SETTINGS: "Cài đặt bảng tính",
    HEADER: "Thiếu hoặc đổi tên cột",
    NO_ID: "Chưa có mã",
    DUPLICATE_ID: "Trùng mã",
    UNTIDY_ID: "Mã có khoảng trắng thừa",
    MISSING: "Thiếu ô bắt buộc",
    VALUE: "Giá trị không đọc được",
    REFERENCE: "Mã không tồn tại",
    DUPLICATE: "Trùng bản ghi",
    RECOMPUTED: "Kết quả đánh giá cần xem lại",
    MISDIRECTED: "Ghi nhầm hàng khi có người sắp xếp, chèn, xoá hàng",
    "": "Lỗi dữ liệu khác",
}
WHOLE_SHEET = "Cả bảng tính"
VI_LOCALE, VN_TIME_ZONE = "vi_VN", "Asia/Ho_Chi_Minh"
SHEET_URL = "https://docs.google.com/spreadsheets/d/{key}/edit"


@dataclass(frozen=True)
class Problem:
    """One thing to fix, with where: tab, sheet row (1 = header), column header, and a link."""

    kind: str
    tab: str  # tab name; "" for the spreadsheet as a whole
    row: int | None  # None: not about one row (locale, time zone, a missing tab)
    column: str
    message: str
    link: str = ""  # opens the cell in Google Sheets; "" on the embedded store
    record_id: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, KIND_LABELS[""])

    @property
    def tab_title(self) -> str:
        return TABS[self.tab].title if self.tab in TABS else WHOLE_SHEET


@dataclass(frozen=True)
class Unadopted:
    """A row a person added without an id, as the screen read it: what adoption must find again."""

    tab: str
    row: int
    cells: dict[str, str] = field(hash=False)

    @property
    def tab_title(self) -> str:
        return TABS[self.tab].title

    @property
    def label(self) -> str:
        """How the screen names the row: tab, sheet row, and its first filled cells."""
        return f"Bảng {self.tab_title} · hàng {self.row}" + (
            f" · {self.summary}" if self.summary else ""
        )

    @property
    def summary(self) -> str:
        """The row's first filled cells, so a person recognises it."""
        shown = [
            f"{TABS[self.tab].header(f)}: {v.strip()}"
            for f, v in self.cells.items()
            if v.strip() and f != "id"
        ]
        return "; ".join(shown[:3])


@dataclass(frozen=True)
class HealthReport:
    """Every problem found in one snapshot, and the rows that may be adopted."""

    problems: list[Problem]
    unadopted: list[Unadopted]
    sheet_url: str = ""  # the Google Sheet, when that is the store

    def counts(self) -> Counter[str]:
        """Problems per kind label."""
        return Counter(p.kind_label for p in self.problems)

    def tabs(self) -> list[str]:
        """Titles of the tabs that have problems, in workbook order."""
        found = {p.tab_title for p in self.problems}
        order = [WHOLE_SHEET, *(t.title for t in ALL_TABS)]
        return [t for t in order if t in found]

    def kinds(self) -> list[str]:
        found = {p.kind_label for p in self.problems}
        return [label for label in KIND_LABELS.values() if label in found]

    def filtered(
        self, tab_title: str | None = None, kind_label: str | None = None
    ) -> list[Problem]:
        return [
            p
            for p in self.problems
            if (tab_title is None or p.tab_title == tab_title)
            and (kind_label is None or p.kind_label == kind_label)
        ]


def report(rt: Runtime, actor: Actor) -> HealthReport:
    """Every hand-made problem in the store, for province staff. Never raises on bad data."""
    ensure_province(actor, "xem màn hình Dữ liệu")
    layout, found = _layout(rt)
    if layout is not None:
        found += _spreadsheet_problems(layout)
    try:
        snapshot = rt.store.snapshot()
        wb = rt.workbook()
    except StoreError as exc:  # e.g. a tab renamed by hand: what the layout found says why
        found.append(Problem(SETTINGS, "", None, "", f"Chưa đọc được dữ liệu: {describe(exc)}"))
        return HealthReport(found, [], SHEET_URL.format(key=layout.key) if layout else "")
    found += _misdirected(rt)
    row_problems = [*wb.problems, *_recomputed(rt)]
    row_problems += _rows_without_id(snapshot.tabs, row_problems)
    found += [_from_row_problem(p, layout) for p in row_problems]
    unadopted = [
        Unadopted(name, row.number, dict(row.cells))
        for name, rows in snapshot.tabs.items()
        if name in records.PREFIX
        for row in rows
        if _without_id(row)
    ]
    order = {t.name: i for i, t in enumerate(ALL_TABS)}
    kinds = list(KIND_LABELS)
    found.sort(
        key=lambda p: (
            order.get(p.tab, -1),
            p.row or 0,
            kinds.index(p.kind) if p.kind in kinds else len(kinds),
        )
    )
    url = SHEET_URL.format(key=layout.key) if layout is not None else ""
    return HealthReport(found, unadopted, url)


def adopt_row(rt: Runtime, actor: Actor, row: Unadopted, request_key: str) -> str:
    """Give a hand-added row its id and version (nothing else), with an audit row; the new id.

    The store writes only if the row still holds exactly the cells the screen showed; otherwise
    it refuses with Conflict (a person edited or moved it) or RecordMissing (it was deleted).
    """
    ensure_province(actor, "nhận hàng chưa có mã vào ứng dụng")
    if row.tab not in records.PREFIX or row.tab not in TABS:
        raise NotAllowed(f"Không thể nhận hàng của bảng {row.tab} vào ứng dụng.")
    if clean_id(row.cells.get("id", "")):
        raise NotAllowed(f"Hàng {row.row} của bảng {TABS[row.tab].title} đã có mã.")
    if not any(v.strip() for v in row.cells.values()):
        raise NotFound(f"Hàng {row.row} của bảng {TABS[row.tab].title} đang trống.")
    try:
        rt.store.apply(
            records.adopt(actor, rt.clock.now(), row.tab, row.row, row.cells, request_key)
        )
    except Conflict as exc:
        raise RowChanged(exc.tab, exc.id, exc.changes, exc.row) from exc
    return records.record_id(row.tab, request_key)


class RowChanged(Conflict):
    """The row to adopt changed (edited, moved or adopted) after the screen read it."""

    code = "row_changed"


# ---- where problems come from --------------------------------------------------------------

REPAIR_WORDS = {
    RESTORED: "một lần lưu đã ghi nhầm vào hàng của bản ghi {id} (có người sắp xếp, chèn hoặc xoá "
    "hàng đúng lúc đó); ứng dụng đã tự hoàn tác các ô {cols}.",
    REPLACED: "thay đổi của bản ghi {id} ({cols}) đã được ghi lại vào đúng hàng sau khi hàng bị "
    "di chuyển.",
    WITHDRAWN: "lần lưu bản ghi {id} bị ghi nhầm hàng và không ghi lại được (bản ghi vừa bị sửa "
    "hoặc xoá); người dùng đã được báo là chưa lưu.",
    LEFT: "ô {cols} của bản ghi {id} bị ghi nhầm, nhưng có người đã sửa ô đó ngay sau; ứng dụng "
    "không ghi đè. Hãy xem lại giá trị đang có.",
    UNREPAIRED: "ô {cols} của bản ghi {id} bị một lần lưu ghi nhầm (có người sắp xếp, chèn hoặc "
    "xoá hàng đúng lúc đó) và ứng dụng chưa sửa lại được vì Google Sheets không nhận lệnh sửa. "
    "Hãy sửa tay: {fix}.",
}
SHOWN = 80  # characters of a value quoted in a message


def _misdirected(rt: Runtime) -> list[Problem]:
    """The engine's own repairs of writes that landed in a moved row, from the whole audit log,
    while not resolved (`_resolved`). Read and computed once per data version: every write of the
    app adds an audit row, so a new version is the only time the list can grow."""
    try:
        return rt.derived("data-health-repairs", lambda _wb: _repairs(rt))
    except StoreError:
        return []


def _repairs(rt: Runtime) -> list[Problem]:
    rows = rt.store.read([AUDIT_LOG.name])[AUDIT_LOG.name]
    found = [
        (i, row)
        for i, row in enumerate(rows)
        if row.cells.get("action") in REPAIR_WORDS and row.cells.get("tab") in TABS
    ]
    if not found:
        return []
    saved: dict[tuple[str, str], int] = {}  # (tab, record) -> its last audit row of a save
    for index, row in enumerate(rows):
        record = clean_id(row.cells.get("record_id", ""))
        if record and row.cells.get("action") not in REPAIR_WORDS:
            saved[(row.cells.get("tab", ""), record)] = index
    tabs_now = rt.store.snapshot().tabs
    return [
        _repair_problem(row)
        for index, row in found
        if not _resolved(row, saved.get(_key(row), -1) > index, tabs_now)
    ]


def _key(row: Row) -> tuple[str, str]:
    return row.cells.get("tab", ""), clean_id(row.cells.get("record_id", ""))


def _resolved(row: Row, saved_since: bool, tabs_now: dict[str, list[Row]]) -> bool:
    """A cell left wrong (UNREPAIRED) is resolved once none of its cells holds the stray value
    any more (a person fixed it); any other repair once its record was saved again in the app."""
    if row.cells.get("action") != UNREPAIRED:
        return saved_since
    tab, record = _key(row)
    current = next(
        (r.cells for r in tabs_now.get(tab, []) if record and clean_id(r.cells["id"]) == record),
        None,
    )
    stray, should_be = _json(row.cells.get("before", "")), _json(row.cells.get("after", ""))
    return current is None or not any(
        current.get(f) == v and v != should_be.get(f) for f, v in stray.items()
    )


def _repair_problem(row: Row) -> Problem:
    """One repair row of the audit log, worded for Dữ liệu."""
    words = REPAIR_WORDS[row.cells.get("action", "")]
    tab = row.cells.get("tab", "")
    before, after = _json(row.cells.get("before", "")), _json(row.cells.get("after", ""))
    changed = [f for f in {**before, **after} if f in TABS[tab].fields]
    cols = ", ".join(f"“{TABS[tab].header(f)}”" for f in changed)
    fix = "; ".join(
        f"ô “{TABS[tab].header(f)}” đang là “{_short(before.get(f, ''))}”, cần trả lại "
        f"“{_short(after.get(f, ''))}”"
        for f in changed
    )
    record = row.cells.get("record_id", "") or "chưa có mã"
    words = words.format(id=record, cols=cols or "—", fix=fix or "—")
    message = f"{row.cells.get('at', '')}: " + words
    return Problem(MISDIRECTED, tab, None, "", message, record_id=row.cells["record_id"])


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _json(text: str) -> dict[str, str]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _layout(rt: Runtime) -> tuple[SpreadsheetLayout | None, list[Problem]]:
    """The Google Sheet's layout, or a problem saying it could not be read (never raises)."""
    try:
        return rt.spreadsheet_layout(), []
    except StoreError as exc:
        message = (
            f"Chưa đọc được tiêu đề cột và cài đặt của bảng tính ({describe(exc)}). Danh sách "
            "dưới đây có thể chưa đủ; hãy tải lại trang sau ít phút."
        )
        return None, [Problem(SETTINGS, "", None, "", message)]


def _spreadsheet_problems(layout: SpreadsheetLayout) -> list[Problem]:
    """Locale, time zone, missing tabs and app headers not found in row 1."""
    url = SHEET_URL.format(key=layout.key)
    out = _settings_problems(layout, url)
    for tab in ALL_TABS:
        placed = layout.tabs.get(tab.name)
        if placed is None:
            continue
        if placed.sheet_id is None:
            out.append(
                Problem(
                    HEADER,
                    tab.name,
                    None,
                    "",
                    f"Không tìm thấy bảng “{tab.title}” trong tệp (có thể đã bị đổi tên hoặc "
                    "xoá). Hãy đặt lại đúng tên bảng.",
                    url,
                )
            )
            continue
        out += _header_problems(layout, tab, placed.repeated, placed.missing)
    return out


def _settings_problems(layout: SpreadsheetLayout, url: str) -> list[Problem]:
    """The spreadsheet's locale and time zone, which decide how typed dates and numbers read."""
    out: list[Problem] = []
    if layout.locale != VI_LOCALE:
        out.append(
            Problem(
                SETTINGS,
                "",
                None,
                "",
                f"Bảng tính đang đặt ngôn ngữ và khu vực “{layout.locale or 'không rõ'}”, không "
                "phải Việt Nam (vi_VN): ngày và số gõ tay có thể bị hiểu sai (9/10 thành ngày "
                "10 tháng 9). Hãy vào Tệp → Cài đặt, chọn Ngôn ngữ và khu vực là Việt Nam.",
                url,
            )
        )
    if layout.time_zone != VN_TIME_ZONE:
        out.append(
            Problem(
                SETTINGS,
                "",
                None,
                "",
                f"Bảng tính đang đặt múi giờ “{layout.time_zone or 'không rõ'}”, không phải giờ "
                "Việt Nam (Asia/Ho_Chi_Minh, GMT+07:00): thời điểm gõ tay có thể bị lệch. Hãy "
                "vào Tệp → Cài đặt, chọn Múi giờ (GMT+07:00) Ho Chi Minh.",
                url,
            )
        )
    return out


def _header_problems(
    layout: SpreadsheetLayout, tab: Tab, repeated: Iterable[str], missing: Iterable[str]
) -> list[Problem]:
    """App headers found twice, or not at all, in row 1 of a tab."""
    out: list[Problem] = []
    for name in repeated:
        header = tab.header(name)
        out.append(
            Problem(
                HEADER,
                tab.name,
                1,
                header,
                f"Hàng tiêu đề của bảng {tab.title} có hai cột “{header}”; ứng dụng không "
                "đọc, không ghi cột này cho đến khi một trong hai được đổi tên (các ô đang "
                "được đọc là trống). Hãy đổi tên cột bạn tự thêm.",
                _link(layout, tab.name, 1, None),
            )
        )
    for name in missing:
        header = tab.header(name)
        out.append(
            Problem(
                HEADER,
                tab.name,
                1,
                header,
                f"Không tìm thấy cột “{header}” ở hàng tiêu đề của bảng {tab.title} (có thể "
                "đã bị đổi tên hoặc xoá); các ô của cột này đang được đọc là trống. Hãy đặt "
                "lại đúng tên cột. Các cột do bạn tự thêm thì không sao.",
                _link(layout, tab.name, 1, None),
            )
        )
    return out


def _recomputed(rt: Runtime) -> list[RowProblem]:
    """Assessments whose stored result disagrees with recomputation, or that cannot be scored."""
    found = rt.derived(
        "data-health-assessments", lambda wb: assessments.assessment_problems(wb, rt.criteria)
    )
    return [
        p if p.kind else RowProblem(p.tab, p.row, p.column, p.message, p.record_id, RECOMPUTED)
        for p in found
    ]


def _without_id(row: Row) -> bool:
    return not clean_id(row.cells.get("id", "")) and any(v.strip() for v in row.cells.values())


def _rows_without_id(tabs_rows: dict[str, list[Row]], known: list[RowProblem]) -> list[RowProblem]:
    """Rows without id in tabs the workbook does not parse: never dropped silently."""
    listed = {(p.tab, p.row) for p in known if p.kind == NO_ID}
    return [
        RowProblem(
            name,
            row.number,
            TABS[name].header("id"),
            "Hàng chưa có mã: cán bộ Tỉnh đoàn có thể cấp mã cho hàng này ở màn hình Dữ liệu",
            kind=NO_ID,
        )
        for name, rows in tabs_rows.items()
        for row in rows
        if name in TABS and _without_id(row) and (name, row.number) not in listed
    ]


def _from_row_problem(problem: RowProblem, layout: SpreadsheetLayout | None) -> Problem:
    header_to_field = {h: f for f, h in TABS[problem.tab].columns} if problem.tab in TABS else {}
    name = header_to_field.get(problem.column)
    link = _link(layout, problem.tab, problem.row, name) if layout is not None else ""
    return Problem(
        problem.kind,
        problem.tab,
        problem.row or None,
        problem.column,
        problem.message,
        link,
        problem.record_id,
    )


def _link(layout: SpreadsheetLayout, tab: str, row: int | None, name: str | None) -> str:
    """The address that opens this cell (or row) of the Google Sheet.

    https://docs.google.com/spreadsheets/d/<key>/edit#gid=<sheetId>&range=<A1>
    """
    url = SHEET_URL.format(key=layout.key)
    placed = layout.tabs.get(tab)
    if placed is None or placed.sheet_id is None:
        return url
    url += f"#gid={placed.sheet_id}"
    if not row:
        return url
    column = placed.columns.get(name) if name else None
    return url + (
        f"&range={column_letter(column)}{row}" if column is not None else f"&range={row}:{row}"
    )


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the letters of a 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
