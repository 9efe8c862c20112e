"""Reading recognition decisions: what a decision lists (with the upper unit each unit had then),
its annex as .xlsx, and the rows a person should check in the decision tabs."""

from __future__ import annotations

from dataclasses import dataclass

from schemas import tabs
from schemas.cells import day_words, to_cell
from schemas.models import Cycle, Decision, DecisionUnit
from schemas.vntext import sort_key
from services.core.access import Actor, scope
from services.core.errors import AccessDenied, NotFound
from services.core.runtime import Runtime
from services.core.workbook import RowProblem, Workbook
from services.core.xlsx import workbook_bytes
from services.registration.cycles import get_cycle
from services.year_end.assessments import Outcome
from services.year_end.decisions import outcomes


@dataclass(frozen=True)
class ListedUnit:
    """One line of a decision's annex."""

    row: DecisionUnit
    unit_name: str
    upper_name: str  # the upper unit the unit had when it was recognised
    kind: str
    result: str


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    issuer_name: str
    cycle_name: str
    units: list[ListedUnit]


def decisions_of(rt: Runtime, actor: Actor, cycle_id: str) -> list[DecisionView]:
    """The cycle's decisions this person may see (issued in their scope, or listing a unit in it),
    newest signed first."""
    wb = rt.workbook()
    cycle = get_cycle(wb, cycle_id)
    visible = scope(wb, actor)
    views = []
    for decision in wb.decisions.values():
        if decision.cycle_id != cycle_id:
            continue
        view = _view(rt, wb, cycle, decision)
        if decision.unit_id in visible or any(u.row.unit_id in visible for u in view.units):
            views.append(view)
    return sorted(views, key=lambda v: (v.decision.signed_on, v.decision.number), reverse=True)


def decision_of(rt: Runtime, actor: Actor, decision_id: str) -> DecisionView:
    wb = rt.workbook()
    decision = wb.decisions.get(decision_id)
    if decision is None:
        raise NotFound(f"Không tìm thấy quyết định có mã {decision_id}.")
    view = _view(rt, wb, get_cycle(wb, decision.cycle_id), decision)
    visible = scope(wb, actor)
    if decision.unit_id not in visible and not any(u.row.unit_id in visible for u in view.units):
        raise AccessDenied(f"Bạn không có quyền xem Quyết định số {decision.number}.")
    return view


def _view(rt: Runtime, wb: Workbook, cycle: Cycle, decision: Decision) -> DecisionView:
    results = outcomes(rt, cycle.id)
    rows = [r for r in wb.decision_units.values() if r.decision_id == decision.id and r.listed]
    units = [
        ListedUnit(
            row,
            wb.unit_name(row.unit_id),
            wb.unit_name(row.upper_unit_id) if row.upper_unit_id else "",
            to_cell(wb.units[row.unit_id].kind) if row.unit_id in wb.units else "",
            result_words(results.get(row.unit_id)),
        )
        for row in rows
    ]
    units.sort(key=lambda u: sort_key(u.unit_name))
    return DecisionView(decision, wb.unit_name(decision.unit_id), cycle.name, units)


def result_words(outcome: Outcome | None) -> str:
    """An official outcome as the annex reads it: 'Đạt (3/3 nội dung)', with points when used."""
    if outcome is None:
        return "Chưa có kết quả đánh giá chính thức"
    met = sum(1 for ok in outcome.contents.values() if ok)
    words = f"{'Đạt' if outcome.passed else 'Không đạt'} ({met}/{len(outcome.contents)} nội dung)"
    if outcome.points is not None:
        words += f", {outcome.points:g} điểm".replace(".", ",")
    return words


# ---- rows to check -----------------------------------------------------------------------------


def decision_problems(wb: Workbook) -> list[RowProblem]:
    """Decision rows that parse but do not fit together (for the data-health screen): a decision
    naming an unknown cycle or unit, a list row naming an unknown decision or unit or another cycle
    than its decision's, and a unit listed twice in one cycle (the later row does not count)."""
    problems = []

    def problem(tab, record_id: str, column: str, message: str) -> None:
        row = wb.row_numbers.get((tab.name, record_id), 0)
        problems.append(RowProblem(tab.name, row, tab.header(column), message, record_id))

    for d in wb.decisions.values():
        if d.cycle_id not in wb.cycles or d.unit_id not in wb.units:
            problem(
                tabs.DECISIONS,
                d.id,
                "unit_id",
                f"Quyết định số {d.number} trỏ tới đợt hoặc đơn vị không tồn tại",
            )
    first: dict[tuple[str, str], str] = {}
    for row in wb.decision_units.values():
        decision = wb.decisions.get(row.decision_id)
        if decision is None:
            problem(
                tabs.DECISION_UNITS,
                row.id,
                "decision_id",
                f"Dòng công nhận {wb.unit_name(row.unit_id)} trỏ tới quyết định không tồn tại "
                f"({row.decision_id})",
            )
        elif decision.cycle_id != row.cycle_id:
            problem(
                tabs.DECISION_UNITS,
                row.id,
                "cycle_id",
                f"Chu kỳ {row.cycle_id} khác chu kỳ của Quyết định số {decision.number} "
                f"({decision.cycle_id})",
            )
        elif row.unit_id not in wb.units:
            problem(
                tabs.DECISION_UNITS,
                row.id,
                "unit_id",
                f"Dòng công nhận trỏ tới đơn vị không tồn tại ({row.unit_id})",
            )
        elif row.listed:
            key = (row.cycle_id, row.unit_id)
            if key in first:
                problem(
                    tabs.DECISION_UNITS,
                    row.id,
                    "unit_id",
                    f"{wb.unit_name(row.unit_id)} được công nhận hai lần trong một năm "
                    f"(cùng với dòng {first[key]})",
                )
            else:
                first[key] = row.id
    return problems


# ---- the annex --------------------------------------------------------------------------------

ANNEX_HEADER = ("STT", "Tên đơn vị", "Đơn vị cấp trên", "Loại đơn vị", "Kết quả đánh giá")


def annex_xlsx(rt: Runtime, actor: Actor, decision_id: str) -> bytes:
    """The decision's annex (Danh sách đơn vị được công nhận) as .xlsx: texts are text cells."""
    view = decision_of(rt, actor, decision_id)
    decision = view.decision
    annex = [
        (n, u.unit_name, u.upper_name, u.kind, u.result) for n, u in enumerate(view.units, start=1)
    ]
    about = [
        ("Số quyết định", decision.number),
        ("Ngày ký", day_words(decision.signed_on)),
        ("Người ký", decision.signer),
        ("Đơn vị ra quyết định", view.issuer_name),
        ("Năm", view.cycle_name),
        ("Số đơn vị được công nhận", len(view.units)),
        ("Ghi chú", decision.note),
    ]
    return workbook_bytes(
        [
            ("Danh sách công nhận", ANNEX_HEADER, annex),
            ("Quyết định", ("Mục", "Giá trị"), about),
        ],
        widths={"A": 26, "B": 44, "C": 32, "D": 18, "E": 28},
    )
