"""Registration across a merger: a unit formed in a cycle registers through its predecessors.

Registration for year N happens in October of N-1, under the units of that time; a merger that
takes effect during N leaves the new unit without a plan of its own. Its plan, for counting and for
being assessed, is then its predecessors' (all of them, or any one, as the province set).
"""

from __future__ import annotations

from schemas.models import Cycle, Registration, RegistrationState, Unit
from services.core.errors import NotAllowed
from services.core.province_settings import SuccessorRule, successor_rule
from services.core.workbook import Workbook


def _rank(reg: Registration | None) -> int:
    if reg is None:
        return 3
    if reg.state is RegistrationState.RETURNED:
        return 2
    return 0 if reg.on_time else 1


def registration_of(wb: Workbook, cycle: Cycle, unit_id: str) -> Registration | None:
    """The unit's own registration in the cycle, else the one it inherits from the predecessors
    merged into it in this cycle: the weakest of them under "all", the best under "any"."""
    own = wb.registration(cycle.id, unit_id)
    earlier = wb.predecessors_in(unit_id, cycle) if own is None else []
    if not earlier:
        return own
    found = [wb.registration(cycle.id, p) for p in earlier]
    pick = max if successor_rule(wb) is SuccessorRule.ALL else min
    return pick(found, key=_rank)


def ensure_exists_in(wb: Workbook, cycle: Cycle, unit: Unit, doing: str) -> None:
    """Refuse a unit that did not exist in the cycle (or, with no period, is deactivated)."""
    if wb.existed_in(unit.id, cycle):
        return
    if unit.valid_from is None and unit.valid_until is None:
        raise NotAllowed(f"{unit.name} đang ngừng hoạt động nên không thể {doing}.")
    raise NotAllowed(
        f"{unit.name} không hoạt động trong chu kỳ {cycle.name} "
        f"({_period(unit)}) nên không thể {doing}."
    )


def ensure_not_superseded(wb: Workbook, cycle: Cycle, unit: Unit, doing: str) -> None:
    """Refuse a unit merged or split within the cycle: its successor stands for it now."""
    if wb.superseded_in(unit.id, cycle):
        later = ", ".join(wb.unit_name(s) for s in wb.successors.get(unit.id, ()))
        raise NotAllowed(
            f"{unit.name} đã được hợp nhất hoặc chia tách vào {later} trong chu kỳ {cycle.name}; "
            f"hãy {doing} {later}."
        )


def _period(unit: Unit) -> str:
    start = f"từ {unit.valid_from:%d/%m/%Y}" if unit.valid_from else ""
    end = f"ngừng từ {unit.valid_until:%d/%m/%Y}" if unit.valid_until else ""
    return ", ".join(p for p in (start, end) if p)
