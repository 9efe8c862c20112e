"""A snapshot parsed into records, with the unit tree indexed and every broken row kept for checking.

A row a person broke by hand never crashes a screen and is never dropped silently: it becomes a
`RowProblem` (tab, sheet row, column, Vietnamese reason) and, where it names a cycle and a unit, that
unit counts as "cần kiểm tra".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from pydantic import ValidationError

from schemas import tabs
from schemas.cells import clean_id, error_messages, is_id_field
from schemas.models import (
    MODELS,
    Assessment,
    AssessmentItem,
    Cycle,
    Decision,
    DecisionUnit,
    DocumentTexts,
    Extension,
    Record,
    Registration,
    Reminder,
    ReminderSchedule,
    Unit,
    UpperReport,
    UpperReportUnit,
    User,
)
from schemas.vntext import sort_key
from services.storage import Row


@dataclass(frozen=True)
class RowProblem:
    """One thing a person should fix in the sheet."""

    tab: str
    row: int
    column: str
    message: str
    record_id: str = ""
    kind: str = ""  # one of PROBLEM_KINDS, for the data-health screen's filter ("" = other)


# What a person did to a row, as the data-health screen groups it.
NO_ID, DUPLICATE_ID, MISSING, VALUE, REFERENCE, DUPLICATE, UNTIDY_ID = (
    "no_id",
    "duplicate_id",
    "missing",
    "value",
    "reference",
    "duplicate",
    "untidy_id",
)


@dataclass
class Workbook:
    units: dict[str, Unit] = field(default_factory=dict)
    cycles: dict[str, Cycle] = field(default_factory=dict)
    registrations: dict[str, Registration] = field(default_factory=dict)
    extensions: list[Extension] = field(default_factory=list)
    upper_reports: dict[str, UpperReport] = field(default_factory=dict)
    assessments: dict[str, Assessment] = field(default_factory=dict)
    assessment_items: dict[str, AssessmentItem] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    decision_units: dict[str, DecisionUnit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    upper_report_units: dict[str, UpperReportUnit] = field(default_factory=dict)
    document_texts: dict[str, DocumentTexts] = field(default_factory=dict)
    reminders: dict[str, Reminder] = field(default_factory=dict)
    reminder_schedules: dict[str, ReminderSchedule] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    # (cycle_id, unit_id) of registration rows that could not be read: those units "cần kiểm tra"
    broken_registrations: set[tuple[str, str]] = field(default_factory=set)
    # (cycle_id, unit_id) of assessment or criterion-result rows that could not be read
    broken_assessments: set[tuple[str, str]] = field(default_factory=set)
    # (cycle_id, unit_id) of decision-list rows that could not be read
    broken_decisions: set[tuple[str, str]] = field(default_factory=set)
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # (tab, record id) -> sheet row number, so problems found after parsing still name their row
    row_numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_cycle_unit: dict[tuple[str, str], Registration] = field(default_factory=dict)
    # What each tab's rows parsed into, so the next version's parse can reuse it: a tab whose row
    # list is the very same (the cache kept it) is not looked at again, and in a changed tab a
    # row whose cells equal its record's is not validated again.
    _tabs: dict[str, _TabParse] = field(default_factory=dict, repr=False)

    # ---- building -------------------------------------------------------------------------

    @classmethod
    def parse(cls, tabs_rows: dict[str, list[Row]], previous: Workbook | None = None) -> Workbook:
        """Parse every tab. Tabs the cache kept as they were, and rows whose cells are unchanged
        since `previous`, reuse its records (they are immutable), so the parse after one write
        validates only the rows that changed."""
        wb = cls()
        earlier = previous._tabs if previous is not None else {}
        for tab in _PARSED:
            rows = tabs_rows.get(tab, [])
            found = earlier.get(tab)
            if found is None or found.rows is not rows:
                found = _parse_tab(tab, rows, found)
            wb._tabs[tab] = found
            wb.problems += found.problems
            wb.row_numbers.update(found.numbers)
            for kind, key in found.broken:
                wb._broken_set(kind).add(key)
        for tab, attribute in _ATTRIBUTES.items():
            setattr(wb, attribute, wb._tabs[tab].records)
        wb.extensions = cast(list[Extension], list(wb._tabs[tabs.EXTENSIONS.name].records.values()))
        wb._index_tree()
        wb._index_registrations()
        return wb

    def _broken_set(self, kind: str) -> set[tuple[str, str]]:
        return {
            "registrations": self.broken_registrations,
            "assessments": self.broken_assessments,
            "decisions": self.broken_decisions,
        }[kind]

    def missing_reference(self, unit_id: str, cycle_id: str) -> str:
        """Why a row's unit or cycle cannot be found, in words: it does not exist, or its own row
        could not be read (then that row is the one to fix)."""

        def words(tab: tabs.Tab, what: str, record_id: str) -> str:
            row = self.row_numbers.get((tab.name, record_id))
            if row is None:
                return f"{what} {record_id or '(trống)'} không tồn tại"
            return f"{what} {record_id} ở hàng {row} bảng {tab.title}, hàng đó chưa đọc được"

        parts = []
        if unit_id not in self.units:
            parts.append(words(tabs.UNITS, "đơn vị", unit_id))
        if cycle_id not in self.cycles:
            parts.append(words(tabs.CYCLES, "chu kỳ", cycle_id))
        return "; ".join(parts)

    def _index_tree(self) -> None:
        for unit in self.units.values():
            if unit.parent_id and unit.parent_id not in self.units:
                self.problems.append(
                    RowProblem(
                        tabs.UNITS.name,
                        self._row_of(tabs.UNITS.name, unit.id),
                        tabs.UNITS.header("parent_id"),
                        f"Đơn vị {unit.name} trỏ tới đơn vị cấp trên không tồn tại ({unit.parent_id})",
                        unit.id,
                        REFERENCE,
                    )
                )
            elif unit.parent_id:
                self.children[unit.parent_id].append(unit.id)
        for siblings in self.children.values():
            siblings.sort(key=lambda uid: sort_key(self.units[uid].name))

    def _index_registrations(self) -> None:
        for reg in self.registrations.values():
            key = (reg.cycle_id, reg.unit_id)
            if reg.unit_id not in self.units or reg.cycle_id not in self.cycles:
                self.problems.append(
                    RowProblem(
                        tabs.REGISTRATIONS.name,
                        self._row_of(tabs.REGISTRATIONS.name, reg.id),
                        tabs.REGISTRATIONS.header("unit_id"),
                        f"Đăng ký {reg.id} trỏ tới {self.missing_reference(reg.unit_id, reg.cycle_id)}",
                        reg.id,
                        REFERENCE,
                    )
                )
            elif key in self._by_cycle_unit:
                self.problems.append(
                    RowProblem(
                        tabs.REGISTRATIONS.name,
                        self._row_of(tabs.REGISTRATIONS.name, reg.id),
                        tabs.REGISTRATIONS.header("unit_id"),
                        f"Đơn vị {self.unit_name(reg.unit_id)} có hai bản đăng ký trong một chu kỳ",
                        reg.id,
                        DUPLICATE,
                    )
                )
                self.broken_registrations.add(key)
            else:
                self._by_cycle_unit[key] = reg

    def _row_of(self, tab: str, record_id: str) -> int:
        return self.row_numbers.get((tab, record_id), 0)

    # ---- questions screens ask -------------------------------------------------------------

    def unit_name(self, unit_id: str) -> str:
        unit = self.units.get(unit_id)
        return unit.name if unit else f"(mã {unit_id})"

    def root_ids(self) -> list[str]:
        return [u.id for u in self.units.values() if not u.parent_id]

    def ancestors(self, unit_id: str) -> list[str]:
        """Upper units from the direct parent up to the root (stops on a loop a person made)."""
        chain: list[str] = []
        unit = self.units.get(unit_id)
        while unit and unit.parent_id and unit.parent_id not in chain and unit.parent_id != unit_id:
            chain.append(unit.parent_id)
            unit = self.units.get(unit.parent_id)
        return chain

    def subtree(self, unit_id: str) -> set[str]:
        """The unit and everything below it."""
        seen: set[str] = set()
        stack = [unit_id] if unit_id in self.units else []
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.children.get(current, ()))
        return seen

    def grassroots(self, unit_ids: Iterable[str], active_only: bool = True) -> list[Unit]:
        """The grassroots units among these ids, in Vietnamese alphabetical order."""
        found = [self.units[u] for u in unit_ids if u in self.units]
        found = [u for u in found if u.kind.is_grassroots and (u.active or not active_only)]
        return sorted(found, key=lambda u: sort_key(u.name))

    def registration(self, cycle_id: str, unit_id: str) -> Registration | None:
        return self._by_cycle_unit.get((cycle_id, unit_id))

    def registrations_of(self, cycle_id: str) -> list[Registration]:
        return [r for (c, _), r in self._by_cycle_unit.items() if c == cycle_id]

    def extension(self, cycle_id: str, unit_id: str) -> Extension | None:
        """The most recent extension granted to a unit for a cycle."""
        granted = [e for e in self.extensions if (e.cycle_id, e.unit_id) == (cycle_id, unit_id)]
        return max(granted, key=lambda e: e.cutoff, default=None)

    def upper_report(self, cycle_id: str, unit_id: str) -> UpperReport | None:
        return next(
            (
                r
                for r in self.upper_reports.values()
                if (r.cycle_id, r.unit_id) == (cycle_id, unit_id)
            ),
            None,
        )

    def user_by_email(self, email: str) -> User | None:
        """The users-tab row for an e-mail (case and spaces ignored); the first one if repeated."""
        wanted = email.strip().casefold()
        return next((u for u in self.users.values() if u.email == wanted), None)

    def cycles_newest_first(self) -> list[Cycle]:
        return sorted(self.cycles.values(), key=lambda c: (c.year, c.register_cutoff), reverse=True)


_ATTRIBUTES = {
    tabs.UNITS.name: "units",
    tabs.CYCLES.name: "cycles",
    tabs.REGISTRATIONS.name: "registrations",
    tabs.UPPER_REPORTS.name: "upper_reports",
    tabs.ASSESSMENTS.name: "assessments",
    tabs.ASSESSMENT_ITEMS.name: "assessment_items",
    tabs.DECISIONS.name: "decisions",
    tabs.DECISION_UNITS.name: "decision_units",
    tabs.USERS.name: "users",
    tabs.UPPER_REPORT_UNITS.name: "upper_report_units",
    tabs.DOCUMENT_TEXTS.name: "document_texts",
    tabs.REMINDERS.name: "reminders",
    tabs.REMINDER_SCHEDULES.name: "reminder_schedules",
}
# Every tab a workbook holds, in the order they are parsed (problems are listed in this order).
_PARSED = (
    tabs.UNITS.name,
    tabs.CYCLES.name,
    tabs.REGISTRATIONS.name,
    tabs.EXTENSIONS.name,
    *(
        t
        for t in _ATTRIBUTES
        if t not in (tabs.UNITS.name, tabs.CYCLES.name, tabs.REGISTRATIONS.name)
    ),
)
# Rows of these tabs that could not be read make their (cycle, unit) "cần kiểm tra".
_BROKEN_KIND = {
    tabs.REGISTRATIONS.name: "registrations",
    tabs.ASSESSMENTS.name: "assessments",
    tabs.ASSESSMENT_ITEMS.name: "assessments",
    tabs.DECISION_UNITS.name: "decisions",
}


@dataclass
class _TabParse:
    """One tab's rows and what they parsed into (records by id, problems, row numbers)."""

    rows: list[Row]
    records: dict[str, Record] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    broken: list[tuple[str, tuple[str, str]]] = field(default_factory=list)

    def problem(self, tab: str, row: Row, message: str, record_id: str, kind: str) -> None:
        header = dict(MODELS[tab].TAB.columns).get("id", "id")
        self.problems.append(RowProblem(tab, row.number, header, message, record_id, kind))
        self.note_broken(tab, row)

    def note_broken(self, tab: str, row: Row) -> None:
        if tab in _BROKEN_KIND:
            key = (clean_id(row.cells.get("cycle_id", "")), clean_id(row.cells.get("unit_id", "")))
            self.broken.append((_BROKEN_KIND[tab], key))

    def untidy_ids(self, tab: str, row: Row, record_id: str) -> None:
        """An id or a reference typed with extra spaces: read as if tidy, listed, never rewritten."""
        headers = dict(MODELS[tab].TAB.columns)
        for name, value in row.cells.items():
            if is_id_field(name) and value != clean_id(value) and clean_id(value):
                message = (
                    f"Mã “{value}” có khoảng trắng thừa; ứng dụng vẫn đọc là “{clean_id(value)}”."
                    " Nên sửa ô này trong bảng tính cho gọn (xoá khoảng trắng thừa)."
                )
                self.problems.append(
                    RowProblem(
                        tab, row.number, headers.get(name, name), message, record_id, UNTIDY_ID
                    )
                )


def _parse_tab(tab: str, rows: list[Row], previous: _TabParse | None) -> _TabParse:
    """Parse one tab's rows; a row whose cells equal the previous record's reuses that record."""
    model: type[Record] = MODELS[tab]
    earlier = previous.records if previous is not None else {}
    out = _TabParse(rows)
    first_row: dict[str, int] = {}
    for row in rows:
        record_id = clean_id(row.cells.get("id", ""))
        out.untidy_ids(tab, row, record_id)
        if not record_id:
            if any(v.strip() for v in row.cells.values()):  # a blank row is nothing to read
                out.problem(tab, row, NO_ID_MESSAGE, "", NO_ID)
            continue
        if record_id in first_row:
            message = f"Mã {record_id} trùng với hàng {first_row[record_id]}"
            out.problem(tab, row, message, record_id, DUPLICATE_ID)
            continue
        first_row[record_id] = row.number
        out.numbers[(tab, record_id)] = row.number
        known = earlier.get(record_id)
        if known is not None and known._cells == row.cells:
            out.records[record_id] = known
            continue
        try:
            out.records[record_id] = model.from_cells(row.cells)
        except ValidationError as exc:
            _invalid(tab, row, record_id, exc, out)
    return out


def _invalid(tab: str, row: Row, record_id: str, exc: ValidationError, out: _TabParse) -> None:
    headers = dict(MODELS[tab].TAB.columns)
    for err, text in zip(exc.errors(), error_messages(exc, {}), strict=True):
        column = headers.get(str(err["loc"][0]), "") if err["loc"] else ""
        kind = _value_kind(row, err["loc"])
        out.problems.append(
            RowProblem(tab, row.number, column, text.split(": ", 1)[-1], record_id, kind)
        )
    out.note_broken(tab, row)


NO_ID_MESSAGE = "Hàng chưa có mã: cán bộ Tỉnh đoàn có thể nhận hàng này vào ứng dụng"


def _value_kind(row: Row, loc: tuple) -> str:
    """MISSING when the cell a pydantic error names is blank, else VALUE (it did not parse)."""
    field_name = str(loc[0]) if loc else ""
    return MISSING if field_name and not row.cells.get(field_name, "").strip() else VALUE
