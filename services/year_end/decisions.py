"""Quyết định công nhận: an upper unit records its decision recognising the units assessed đạt.

A decision (number, day signed, signer) and its list of units are stored in one all-or-nothing
write, with an audit row per record. Each listed unit keeps the upper unit it had at the time, so
moving or merging units never changes a past decision. A unit is recognised at most once per cycle;
a unit taken off a list keeps its row, marked with who took it off and when.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from schemas import tabs
from schemas.cells import VN_TZ, day_words, iso, to_cell
from schemas.models import Cycle, Decision, DecisionForm, DecisionUnit, Role, Unit
from schemas.vntext import name_key, sort_key
from services.core import records
from services.core.access import Actor
from services.core.errors import AccessDenied, InvalidInput, NotAllowed, NotFound
from services.core.forms import free_text, validate
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration.cycles import get_cycle
from services.year_end.assessments import Outcome, outcomes_of

# A unit is listed once per cycle: a second listed row (removed_at empty) is refused by the store.
LISTED_ONCE = ("cycle_id", "unit_id", "removed_at")
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Recognition:
    """A unit recognised in a cycle: the decision and the unit's row on its list."""

    decision: Decision
    row: DecisionUnit


@dataclass(frozen=True)
class Eligible:
    """A unit whose official assessment passed and that no decision of the cycle lists yet."""

    unit: Unit
    upper_name: str
    outcome: Outcome


# ---- reading ----------------------------------------------------------------------------------


def outcomes(rt: Runtime, cycle_id: str) -> dict[str, Outcome]:
    """Official submitted assessment outcomes of a cycle, computed once per data version."""
    # the key services.year_end.assessments.official_outcomes uses, so both share one computation
    return rt.derived(
        ("assessment-outcomes", cycle_id), lambda wb: outcomes_of(wb, rt.criteria, cycle_id)
    )


def recognised(wb: Workbook, cycle_id: str) -> dict[str, Recognition]:
    """Units listed (not taken off) on a decision of this cycle, by unit id."""
    found: dict[str, Recognition] = {}
    for row in wb.decision_units.values():
        decision = wb.decisions.get(row.decision_id)
        if row.listed and row.cycle_id == cycle_id and decision and decision.cycle_id == cycle_id:
            found.setdefault(row.unit_id, Recognition(decision, row))  # a repeat does not count
    return found


def issuing_units(rt: Runtime, actor: Actor) -> list[str]:
    """Units this person may record decisions for: an officer's own upper unit; for province
    staff the province itself (units directly under it) and every upper unit, to enter a paper
    decision on its behalf. The province first, then Vietnamese order."""
    wb = rt.workbook()
    if actor.role is Role.PROVINCE:
        candidates = [u for u in wb.units.values() if not u.kind.is_grassroots]
    elif actor.role is Role.UPPER and actor.unit_id in wb.units:
        candidates = [wb.units[actor.unit_id]]
    else:
        return []
    candidates = [u for u in candidates if not u.kind.is_grassroots and u.active]
    return [u.id for u in sorted(candidates, key=lambda u: (bool(u.parent_id), sort_key(u.name)))]


def ensure_issuer(rt: Runtime, actor: Actor, issuer_id: str) -> None:
    if issuer_id not in issuing_units(rt, actor):
        raise AccessDenied(
            "Bạn chỉ ghi được quyết định công nhận của đơn vị mình "
            f"(không phải của {rt.workbook().unit_name(issuer_id)})."
        )


def eligible_units(rt: Runtime, actor: Actor, cycle_id: str, issuer_id: str) -> list[Eligible]:
    """Units below the issuer assessed đạt in the cycle and not yet recognised, in Vietnamese order."""
    ensure_issuer(rt, actor, issuer_id)
    wb = rt.workbook()
    get_cycle(wb, cycle_id)
    passed = outcomes(rt, cycle_id)
    taken = recognised(wb, cycle_id)
    below = units_of_issuer(wb, issuer_id)
    return [
        Eligible(unit, wb.unit_name(unit.parent_id or ""), passed[unit.id])
        for unit in wb.grassroots(below, active_only=False)
        if unit.id in passed and passed[unit.id].passed and unit.id not in taken
    ]


# ---- writing ----------------------------------------------------------------------------------


def record_decision(
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    issuer_id: str,
    data: dict[str, Any],
    request_key: str,
) -> Decision:
    """Record a decision and its list of units, with an audit row each, in one write."""
    ensure_issuer(rt, actor, issuer_id)
    form = validate(DecisionForm, data)
    with rt.store.serialised():
        wb = rt.workbook()
        now = rt.clock.now()
        cycle = get_cycle(wb, cycle_id)
        rec_id = records.record_id(tabs.DECISIONS.name, request_key)
        if (same := wb.decisions.get(rec_id)) is not None:  # the same submission arrived twice
            if (same.cycle_id, same.unit_id) != (cycle_id, issuer_id):
                raise NotAllowed(records.KEY_USED)
            return same
        unit_ids = list(dict.fromkeys(form.unit_ids))
        _ensure_below(wb, issuer_id, unit_ids)
        problems = _field_problems(wb, form, cycle, issuer_id, now)
        problems += _unit_problems(wb, outcomes(rt, cycle_id), cycle, unit_ids)
        if problems:
            raise InvalidInput(problems)
        cells = {
            "id": rec_id,
            "cycle_id": cycle_id,
            "unit_id": issuer_id,
            **_decision_fields(form),
            "recorded_by": actor.label,
            "recorded_at": iso(now),
            "version": "1",
            "updated_at": iso(now),
        }
        listed = []
        for uid in unit_ids:
            listed += _list_unit(rt, actor, now, wb, rec_id, cycle_id, uid, request_key)
        rt.store.apply(
            records.create(
                actor,
                now,
                "Ghi quyết định công nhận",
                cells,
                tabs.DECISIONS.name,
                request_key,
                unique=("cycle_id", "unit_id", "number"),
                also=listed,
            )
        )
        return Decision.from_cells(cells)


def correct_decision(
    rt: Runtime, actor: Actor, loaded: Decision, data: dict[str, Any], request_key: str
) -> Decision:
    """Fix a decision's fields and its list (units added or taken off) in one write.

    `loaded` is the decision as the form first read it: any change made since (to its fields or
    its list, which moves its version) is refused as a Conflict showing both values.
    """
    ensure_issuer(rt, actor, loaded.unit_id)
    form = validate(DecisionForm, data)
    with rt.store.serialised():
        wb = rt.workbook()
        now = rt.clock.now()
        if loaded.id not in wb.decisions:
            raise NotFound(f"Không tìm thấy Quyết định số {loaded.number} (có thể đã bị xoá).")
        cycle = get_cycle(wb, loaded.cycle_id)
        listed = {
            r.unit_id: r
            for r in wb.decision_units.values()
            if r.decision_id == loaded.id and r.listed
        }
        wanted = list(dict.fromkeys(form.unit_ids))
        added = [u for u in wanted if u not in listed]
        removed = [row for uid, row in listed.items() if uid not in wanted]
        _ensure_below(wb, loaded.unit_id, added)
        problems = _field_problems(wb, form, cycle, loaded.unit_id, now, loaded.id)
        problems += _unit_problems(wb, outcomes(rt, cycle.id), cycle, added)
        if problems:
            raise InvalidInput(problems)
        also = []
        for uid in added:
            also += _list_unit(rt, actor, now, wb, loaded.id, cycle.id, uid, request_key)
        for row in removed:
            also += records.change(
                actor,
                now,
                "Đưa đơn vị ra khỏi quyết định công nhận",
                row,
                {"removed_at": iso(now), "removed_by": actor.label},
                _child_key(request_key, f"remove/{row.id}"),
            )
        cells = _decision_fields(form)
        if also:  # the list changed: so does the decision's version, so a concurrent fix conflicts
            cells["version"] = str((loaded.version or 0) + 1)
        if not also and all(loaded.cells.get(f) == v for f, v in cells.items()):
            return wb.decisions[loaded.id]  # nothing to change
        rt.store.apply(
            records.change(
                actor, now, "Sửa quyết định công nhận", loaded, cells, request_key, also=also
            )
        )
        return rt.workbook().decisions[loaded.id]


def _decision_fields(form: DecisionForm) -> dict[str, str]:
    return {
        "number": form.number,
        "signed_on": to_cell(form.signed_on),
        "signer": form.signer,
        "note": free_text(form.note, "Ghi chú", NOTE_LIMIT),
    }


def _list_unit(
    rt: Runtime,
    actor: Actor,
    now: datetime,
    wb: Workbook,
    decision_id: str,
    cycle_id: str,
    unit_id: str,
    request_key: str,
) -> list:
    """The row listing one unit on a decision, with the upper unit it has now, and its audit row."""
    key = _child_key(request_key, unit_id)
    outcome = outcomes(rt, cycle_id)[unit_id]
    cells = {
        "id": records.record_id(tabs.DECISION_UNITS.name, key),
        "decision_id": decision_id,
        "cycle_id": cycle_id,
        "unit_id": unit_id,
        "upper_unit_id": wb.units[unit_id].parent_id or "",
        "assessment_id": outcome.assessment_id,
        "removed_at": "",
        "removed_by": "",
        "version": "1",
        "updated_at": iso(now),
    }
    return records.create(
        actor,
        now,
        "Công nhận đơn vị trong quyết định",
        cells,
        tabs.DECISION_UNITS.name,
        key,
        unique=LISTED_ONCE,
    )


def _child_key(request_key: str, part: str) -> str:
    """A request key of its own for each row written with a decision (ids and audit ids differ),
    derived from the form's key so a retried submission produces the very same rows."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"3cd:{request_key}/{part}").hex


def units_of_issuer(wb: Workbook, issuer_id: str) -> set[str]:
    """The units an issuer recognises: everything below an upper unit; for the province, the
    units directly under it (the others are recognised by their own upper unit)."""
    issuer = wb.units.get(issuer_id)
    if issuer is None:
        return set()
    if issuer.parent_id:
        return wb.subtree(issuer_id) - {issuer_id}
    return set(wb.children.get(issuer_id, ()))


def _ensure_below(wb: Workbook, issuer_id: str, unit_ids: list[str]) -> None:
    below = units_of_issuer(wb, issuer_id)
    outside = [u for u in unit_ids if u not in below]
    if not outside:
        return
    names = ", ".join(wb.unit_name(u) for u in outside)
    if wb.units[issuer_id].parent_id:
        raise AccessDenied(
            f"{names} không trực thuộc {wb.unit_name(issuer_id)}, nên không thể có trong "
            "quyết định của đơn vị này."
        )
    uppers = ", ".join(
        dict.fromkeys(wb.unit_name(wb.ancestors(u)[0]) for u in outside if wb.ancestors(u))
    )
    raise AccessDenied(
        f"{names} do Đoàn cấp trên trực tiếp ({uppers}) công nhận; quyết định của "
        f"{wb.unit_name(issuer_id)} chỉ gồm các đơn vị trực thuộc tỉnh. Để ghi thay quyết định "
        "bản giấy của Đoàn cấp trên, hãy chọn đơn vị ra quyết định là đơn vị đó."
    )


def _field_problems(
    wb: Workbook,
    form: DecisionForm,
    cycle: Cycle,
    issuer_id: str,
    now: datetime,
    decision_id: str | None = None,
) -> list[str]:
    problems = []
    today = now.astimezone(VN_TZ).date()
    if form.signed_on > today:
        problems.append(f"Ngày ký: không được sau hôm nay ({day_words(today)})")
    elif form.signed_on < date(cycle.year, 1, 1):
        problems.append(
            f"Ngày ký: quyết định công nhận {cycle.name.lower()} không thể ký trước "
            f"{day_words(date(cycle.year, 1, 1))}"
        )
    clash = next(
        (
            d
            for d in wb.decisions.values()
            if (d.cycle_id, d.unit_id) == (cycle.id, issuer_id)
            and d.id != decision_id
            and name_key(d.number) == name_key(form.number)
        ),
        None,
    )
    if clash is not None:
        problems.append(
            f"Số quyết định: {wb.unit_name(issuer_id)} đã ghi Quyết định số {clash.number} "
            f"(ký ngày {day_words(clash.signed_on)}) trong {cycle.name}; hãy xem lại số, "
            "hoặc sửa quyết định đã ghi"
        )
    try:
        free_text(form.note, "Ghi chú", NOTE_LIMIT)
    except InvalidInput as exc:
        problems += exc.messages
    if not form.unit_ids:
        problems.append("Danh sách đơn vị được công nhận: hãy chọn ít nhất một đơn vị")
    return problems


def _unit_problems(
    wb: Workbook, passed: dict[str, Outcome], cycle: Cycle, unit_ids: list[str]
) -> list[str]:
    """Why each unit cannot be recognised in this cycle (none: all can)."""
    problems = []
    taken = recognised(wb, cycle.id)
    for uid in unit_ids:
        name = wb.unit_name(uid)
        unit = wb.units.get(uid)
        outcome = passed.get(uid)
        if unit is None or not unit.kind.is_grassroots:
            problems.append(f"{name}: không phải đoàn cơ sở nên không thuộc diện công nhận")
        elif (cycle.id, uid) in wb.broken_decisions:
            problems.append(
                f"{name}: danh sách công nhận của đơn vị trong bảng tính đang có lỗi; "
                "cần sửa ở màn hình Dữ liệu trước"
            )
        elif outcome is None:
            problems.append(
                f"{name}: chưa có kết quả đánh giá chính thức đã gửi trong {cycle.name} "
                "(Đoàn cấp trên đánh giá và bấm Gửi)"
            )
        elif not outcome.passed:
            problems.append(
                f"{name}: kết quả đánh giá {cycle.name.lower()} là không đạt, "
                "nên không thể được công nhận"
            )
        elif uid in taken:
            problems.append(
                f"{name}: đã được công nhận tại Quyết định số {taken[uid].decision.number} của "
                f"{wb.unit_name(taken[uid].decision.unit_id)} trong {cycle.name}"
            )
    return problems
