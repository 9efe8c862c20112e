"""Registering a unit's "3 chủ động" plan with its upper unit, and the upper unit's review of it.

States: Đã gửi (sent by the unit, or entered by the upper unit from a paper plan) → Đã tiếp nhận
(accepted) or Trả lại để sửa (returned with a reason) → Đã gửi again when the unit resends.
Whether it was on time is decided once, at the first submission, and never flips afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from schemas import tabs
from schemas.cells import iso, parse_choice, to_cell
from schemas.criteria import CriteriaSet
from schemas.models import Cycle, LatePolicy, PlanForm, Registration, RegistrationState, Unit
from schemas.standing import (
    LINK_LABEL,
    CriterionStanding,
    Standing,
    check_link,
    one_line,
    roadmap_problem,
    standings_cell,
    status_label,
)
from services.core import records
from services.core.access import (
    Actor,
    can_review,
    ensure_can_view,
    ensure_reviewer,
    is_secretary_of,
)
from services.core.errors import (
    AccessDenied,
    InvalidInput,
    NotAllowed,
    NotFound,
    RegistrationClosed,
)
from services.core.forms import free_text, validate
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.people.units import list_units
from services.registration import deadlines, lineage
from services.registration.cycles import get_cycle
from services.registration.status import unit_status

REASON_LIMIT = 1000  # characters in a return or extension reason
PARSE_STANDING = parse_choice(Standing)


@dataclass(frozen=True)
class Receipt:
    """What the unit keeps after sending: reference, time, and whether it counted as on time."""

    reference: str
    unit_name: str
    cycle_name: str
    sent_at: datetime
    on_time: bool
    cutoff_words: str
    state: RegistrationState
    received_on: date | None = None  # the day a paper plan was received (entered on its behalf)
    resent: bool = False  # this sending updated the unit's earlier registration


@dataclass(frozen=True)
class UnitDeadline:
    """A unit's own cut-off for a cycle (an extension included) and how it reads."""

    cutoff: datetime
    words: str
    extended: bool
    reason: str = ""


def deadline_for(rt: Runtime, actor: Actor, cycle_id: str, unit_id: str) -> UnitDeadline:
    """A unit's own registration cut-off for a cycle, as this person may see it."""
    wb = rt.workbook()
    ensure_can_view(wb, actor, unit_id)
    cycle = get_cycle(wb, cycle_id)
    extension = wb.extension(cycle_id, unit_id)
    cutoff = deadlines.registration_cutoff(cycle, extension)
    extended = cutoff != cycle.register_cutoff
    return UnitDeadline(
        cutoff,
        deadlines.cutoff_words(cutoff),
        extended,
        extension.reason if extended and extension else "",
    )


def registration_of(rt: Runtime, actor: Actor, cycle_id: str, unit_id: str) -> Registration | None:
    wb = rt.workbook()
    ensure_can_view(wb, actor, unit_id)
    return wb.registration(cycle_id, unit_id)


@dataclass(frozen=True)
class ReviewLine:
    """One grassroots unit as its upper unit reviews it in a cycle."""

    unit: Unit
    upper_name: str
    status: str
    registration: Registration | None


def review_lines(rt: Runtime, actor: Actor, cycle_id: str) -> list[ReviewLine]:
    """The active grassroots units this person may review, in tree order, with their status."""
    wb = rt.workbook()
    cycle = get_cycle(wb, cycle_id)
    lines = []
    expected = {u.id for u in wb.expected(wb.units, cycle)}
    for line in list_units(rt, actor):
        unit = line.unit
        if unit.id in expected and can_review(wb, actor, unit.id):
            lines.append(
                ReviewLine(
                    unit,
                    line.parent_name,
                    unit_status(wb, cycle, unit),
                    wb.registration(cycle_id, unit.id),
                )
            )
    return lines


def register_plan(
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    unit_id: str,
    data: dict[str, Any],
    request_key: str,
    received_on: date | None = None,
) -> Receipt:
    """Send (or resend) a unit's plan. The upper unit may enter a paper plan with the day received.

    A second registration for the same unit and cycle edits the first. Late registrations are
    refused or accepted-and-flagged according to the cycle's late policy.
    """
    with rt.store.serialised():
        wb = rt.workbook()
        now = rt.clock.now()
        unit = _registrable_unit(wb, unit_id, cycle_id)
        on_behalf = not is_secretary_of(actor, unit_id)
        if on_behalf and not can_review(wb, actor, unit_id):  # access first, then the form
            raise AccessDenied(f"Bạn không thể đăng ký thay cho {unit.name}.")
        form = validate(PlanForm, data)
        cycle = get_cycle(wb, cycle_id)
        statements = _check_plan(rt, form, cycle, unit, now, on_behalf, received_on)
        rec_id = records.record_id(tabs.REGISTRATIONS.name, request_key)
        same = _same_submission(wb, rec_id, cycle_id, unit)
        if same is not None:  # the same submission arrived twice: stored once
            return _receipt(wb, same)
        plan = _plan_cells(form, actor, now) | statements
        existing = wb.registration(cycle_id, unit_id)
        if existing is not None:
            return _resend(rt, actor, unit, existing, plan, now, request_key)
        cells = _first_sending(wb, cycle, unit, plan, now, received_on) | {"id": rec_id}
        action = "Nhập thay đăng ký" if on_behalf else "Gửi đăng ký"
        rt.store.apply(
            records.create(
                actor,
                now,
                action,
                cells,
                tabs.REGISTRATIONS.name,
                request_key,
                unique=("cycle_id", "unit_id"),
            )
        )
        return _receipt(wb, Registration.from_cells(cells))


def _same_submission(wb: Workbook, rec_id: str, cycle_id: str, unit: Unit) -> Registration | None:
    """The registration this very request already stored (a retried click), if any; refuses a
    request key reused for another unit or cycle, and a unit whose sheet row is broken."""
    same = wb.registrations.get(rec_id)
    if same is not None:
        if (same.cycle_id, same.unit_id) != (cycle_id, unit.id):
            raise NotAllowed(records.KEY_USED)
        return same
    if (cycle_id, unit.id) in wb.broken_registrations:
        raise NotAllowed(
            f"Bản đăng ký của {unit.name} trong bảng tính đang có lỗi; "
            "cần sửa ở màn hình Dữ liệu trước khi gửi lại."
        )
    return None


def _plan_cells(form: PlanForm, actor: Actor, now: datetime) -> dict[str, str]:
    """What a sending (first or again) writes: the plan, and the state back to 'Đã gửi'."""
    return {
        "plan_number": form.plan_number,
        "plan_date": to_cell(form.plan_date),
        **{f"target_{c.lower()}": form.targets[c].strip() for c in ("ND1", "ND2", "ND3")},
        "state": to_cell(RegistrationState.SENT),
        "last_sent_at": iso(now),
        "sent_by": actor.label,
        "return_reason": "",
    }


def _resend(
    rt: Runtime,
    actor: Actor,
    unit: Unit,
    existing: Registration,
    plan: dict[str, str],
    now: datetime,
    request_key: str,
) -> Receipt:
    """A second sending edits the first; 'on time' stays as the first sending fixed it."""
    wb = rt.workbook()
    if existing.state is RegistrationState.ACCEPTED:
        raise NotAllowed(
            f"Đăng ký của {unit.name} đã được tiếp nhận; muốn sửa, hãy liên hệ "
            f"{wb.unit_name(unit.parent_id or '')} để được trả lại."
        )
    if all(existing.cells.get(f, "") == v for f, v in plan.items() if f != "last_sent_at"):
        return _receipt(wb, existing)  # exactly this was already sent (a retried click)
    rt.store.apply(records.change(actor, now, "Gửi lại đăng ký", existing, plan, request_key))
    wb = rt.workbook()
    return _receipt(wb, wb.registrations[existing.id], resent=True)


def _first_sending(
    wb: Workbook,
    cycle: Cycle,
    unit: Unit,
    plan: dict[str, str],
    now: datetime,
    received_on: date | None,
) -> dict[str, str]:
    """The cells of a unit's first registration in a cycle, with 'on time' fixed for good;
    refused after the cut-off when the cycle's late policy says so."""
    cutoff = deadlines.registration_cutoff(cycle, wb.extension(cycle.id, unit.id))
    on_time = deadlines.is_on_time(deadlines.judged_instant(now, received_on), cutoff)
    if not on_time and cycle.late_policy is LatePolicy.REFUSE:
        raise RegistrationClosed(
            f"Hạn đăng ký đã {deadlines.cutoff_words(cutoff)}. Liên hệ "
            f"{wb.unit_name(unit.parent_id or '')} nếu cần gia hạn."
        )
    return {
        **plan,
        "cycle_id": cycle.id,
        "unit_id": unit.id,
        "upper_unit_id": unit.parent_id or "",
        "submitted_at": iso(now),
        "received_on": to_cell(received_on),
        "on_time": to_cell(on_time),
        "reviewed_by": "",
        "reviewed_at": "",
        "version": "1",
        "updated_at": iso(now),
    }


def accept(rt: Runtime, actor: Actor, loaded: Registration, request_key: str) -> Registration:
    """The upper unit accepts a sent registration."""
    return _review(
        rt, actor, loaded, RegistrationState.ACCEPTED, "", "Tiếp nhận đăng ký", request_key
    )


def return_for_correction(
    rt: Runtime, actor: Actor, loaded: Registration, reason: str, request_key: str
) -> Registration:
    """The upper unit returns a registration with the reason the unit must fix."""
    ensure_reviewer(rt.workbook(), actor, loaded.unit_id)  # access first, then the reason
    if not reason.strip():
        raise InvalidInput(["Lý do trả lại: bắt buộc phải nhập, để đơn vị biết cần sửa gì"])
    reason = free_text(reason, "Lý do trả lại", REASON_LIMIT)
    return _review(
        rt, actor, loaded, RegistrationState.RETURNED, reason, "Trả lại đăng ký", request_key
    )


def _review(
    rt: Runtime,
    actor: Actor,
    loaded: Registration,
    state: RegistrationState,
    reason: str,
    action: str,
    request_key: str,
) -> Registration:
    wb = rt.workbook()
    ensure_reviewer(wb, actor, loaded.unit_id)
    current = wb.registrations.get(loaded.id)
    if (
        current is not None
        and current.state is state
        and current.reviewed_by == actor.label
        and current.return_reason == reason
    ):
        return current  # this person's same step already landed (a retried click)
    if loaded.state is state:
        raise NotAllowed(f"Đăng ký này đã ở trạng thái '{state.value}'.")
    if state is RegistrationState.ACCEPTED and loaded.state is not RegistrationState.SENT:
        raise NotAllowed("Chỉ tiếp nhận được đăng ký đang ở trạng thái 'Đã gửi'.")
    now = rt.clock.now()
    cells = {
        "state": to_cell(state),
        "return_reason": reason,
        "reviewed_by": actor.label,
        "reviewed_at": iso(now),
    }
    rt.store.apply(records.change(actor, now, action, loaded, cells, request_key))
    return rt.workbook().registrations[loaded.id]


def grant_extension(
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    unit_id: str,
    last_day: date,
    reason: str,
    request_key: str,
) -> UnitDeadline:
    """An upper unit lets one unit register until the end of `last_day`, with a recorded reason."""
    with rt.store.serialised():
        wb = rt.workbook()
        ensure_reviewer(wb, actor, unit_id)  # access first, then the reason
        reason = free_text(reason, "Lý do gia hạn", REASON_LIMIT)
        unit = _registrable_unit(wb, unit_id, cycle_id)
        cycle = get_cycle(wb, cycle_id)
        rec_id = records.record_id(tabs.EXTENSIONS.name, request_key)
        if any(e.id == rec_id for e in wb.extensions):  # the same grant arrived twice
            return deadline_for(rt, actor, cycle_id, unit_id)
        cutoff = deadlines.cutoff_after(last_day)
        problems = []
        if not reason:
            problems.append("Lý do gia hạn: bắt buộc phải nhập")
        if cutoff <= deadlines.registration_cutoff(cycle, wb.extension(cycle_id, unit_id)):
            problems.append(f"Hạn mới: phải muộn hơn hạn hiện tại của {unit.name}")
        if problems:
            raise InvalidInput(problems)
        now = rt.clock.now()
        cells = {
            "id": rec_id,
            "cycle_id": cycle_id,
            "unit_id": unit_id,
            "cutoff": iso(cutoff),
            "reason": reason,
            "granted_by": actor.label,
            "granted_at": iso(now),
        }
        rt.store.apply(
            records.create(actor, now, "Gia hạn đăng ký", cells, tabs.EXTENSIONS.name, request_key)
        )
    return deadline_for(rt, actor, cycle_id, unit_id)


def receipt_for(rt: Runtime, actor: Actor, registration: Registration) -> Receipt:
    wb = rt.workbook()
    ensure_can_view(wb, actor, registration.unit_id)
    return _receipt(wb, registration)


def _receipt(wb: Workbook, reg: Registration, resent: bool = False) -> Receipt:
    cycle = wb.cycles[reg.cycle_id]
    cutoff = deadlines.registration_cutoff(cycle, wb.extension(reg.cycle_id, reg.unit_id))
    return Receipt(
        reg.id,
        wb.unit_name(reg.unit_id),
        cycle.name,
        reg.submitted_at,
        reg.on_time,
        deadlines.cutoff_words(cutoff),
        reg.state,
        reg.received_on,
        resent,
    )


def _registrable_unit(wb: Workbook, unit_id: str, cycle_id: str) -> Unit:
    unit = wb.units.get(unit_id)
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã {unit_id}.")
    if not unit.kind.is_grassroots:
        raise NotAllowed(f"{unit.name} không phải đoàn cơ sở nên không đăng ký kế hoạch.")
    cycle = wb.cycles.get(cycle_id)
    if cycle is not None:
        lineage.ensure_exists_in(wb, cycle, unit, "đăng ký")
    elif not unit.active:
        raise NotAllowed(f"{unit.name} đang ngừng hoạt động nên không thể đăng ký.")
    return unit


def _future(day: date, now: datetime) -> str:
    return f"ngày {day:%d/%m/%Y} là ngày trong tương lai (hôm nay là {now:%d/%m/%Y})"


def _check_plan(
    rt: Runtime,
    form: PlanForm,
    cycle: Cycle,
    unit: Unit,
    now: datetime,
    on_behalf: bool,
    received_on: date | None,
) -> dict[str, str]:
    """Every problem of a sending at once (InvalidInput), or the cells of the link and of the
    per-criterion statements, as stored."""
    problems = []
    if form.plan_date > now.date():
        problems.append(f"Ngày kế hoạch: {_future(form.plan_date, now)}")
    problems += _target_problems(rt, form, cycle)
    statements, found = _statement_cells(rt.criteria.get(cycle.criteria_for(unit.kind)), form)
    problems += found
    problems += _received_problems(form, cycle, now, on_behalf, received_on)
    if problems:
        raise InvalidInput(problems)
    return statements


def _statement_cells(
    criteria: CriteriaSet | None, form: PlanForm
) -> tuple[dict[str, str], list[str]]:
    """The signed plan's link and the per-criterion statements as cells, with their problems
    (each naming its field as the form labels it)."""
    problems = []
    try:
        link = check_link(form.plan_link)
    except ValueError as exc:
        link, problems = "", [f"{LINK_LABEL}: {exc}"]
    known = list(criteria.criteria) if criteria else []
    unknown = sorted(set(form.standings) - set(known))
    if unknown:
        problems.append(
            f"Tình hình từng tiêu chí: không có trong bộ tiêu chí: {', '.join(unknown)}"
        )
    stated: dict[str, CriterionStanding] = {}
    for criterion_id in known:
        item, problem = _stated(criterion_id, form.standings.get(criterion_id) or {})
        if problem:
            problems.append(problem)
        elif item is not None:
            stated[criterion_id] = item
    return {"plan_link": link, "criteria_standing": standings_cell(stated)}, problems


def _stated(
    criterion_id: str, entry: Mapping[str, str | None]
) -> tuple[CriterionStanding | None, str | None]:
    """One criterion's statement as typed: (statement or None when left blank, problem)."""
    roadmap = one_line(entry.get("roadmap") or "")
    try:
        standing = PARSE_STANDING(entry.get("standing"))
    except ValueError as exc:
        return None, f"{status_label(criterion_id)}: {exc}"
    if standing is None:
        if roadmap:  # a roadmap typed without saying where the unit stands: never dropped
            return None, f"{status_label(criterion_id)}: hãy chọn tình hình cho lộ trình đã ghi"
        return None, None
    item = CriterionStanding(standing, roadmap)
    return item, roadmap_problem(criterion_id, item)


def _target_problems(rt: Runtime, form: PlanForm, cycle: Cycle) -> list[str]:
    criteria = rt.criteria.get(cycle.criteria_set)
    contents = criteria.contents if criteria else []
    problems = []
    for content in contents:
        if not form.targets.get(content.id, "").strip():
            problems.append(f"{content.label}: bắt buộc phải nhập")
        elif len(form.targets[content.id]) > 5000:
            problems.append(f"{content.label}: quá dài (tối đa 5000 ký tự)")
    unknown = set(form.targets) - {c.id for c in contents}
    if unknown:
        problems.append(
            f"Mục tiêu: nội dung không có trong bộ tiêu chí: {', '.join(sorted(unknown))}"
        )
    return problems


def _received_problems(
    form: PlanForm, cycle: Cycle, now: datetime, on_behalf: bool, received_on: date | None
) -> list[str]:
    """A paper plan's day of receipt: required when the upper unit enters it, never otherwise,
    and never one that would turn late into on time or file it in another year."""
    if received_on is None:
        return ["Ngày nhận bản giấy: bắt buộc khi Đoàn cấp trên nhập thay"] if on_behalf else []
    if not on_behalf:
        return ["Ngày nhận bản giấy: chỉ Đoàn cấp trên ghi khi nhập thay bản giấy"]
    problems = []
    if received_on > now.date():
        problems.append(f"Ngày nhận bản giấy: {_future(received_on, now)}")
    if received_on < form.plan_date:  # a back-dated receipt would turn late into on time
        problems.append("Ngày nhận bản giấy: không được trước Ngày kế hoạch")
    opens, closes = deadlines.registration_window(cycle)
    if not opens <= received_on <= closes:
        problems.append(
            f"Ngày nhận bản giấy: phải trong thời gian đăng ký của năm {cycle.year} "
            f"(từ {opens:%d/%m/%Y} đến {closes:%d/%m/%Y})"
        )
    return problems
