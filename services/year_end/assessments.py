"""Assessing grassroots units against their cycle's criteria set: drafts, submission, reopening.

The upper unit (or the province) fills the official assessment, which is the one that counts; a
unit's secretary may fill a self-assessment of their own unit beside it. A draft may be
incomplete; submitting checks every required criterion and locks the assessment; only province
staff reopen it, with a reason. Results are computed from the criterion values (services/year_end/scoring.py)
and stored as a readable copy; on read they are computed again with the set version the
assessment names, and a disagreement is listed for checking (services/year_end/assessment_index.py).

Public API — other services and screens build on these; keep them stable:

- `Outcome`: a unit's official result in a cycle (passed, contents, failed criteria, points).
- `outcomes_of(wb, catalogue, cycle_id) -> {unit_id: Outcome}`: submitted official assessments,
  recomputed, no scope check (for use inside other services); memoised per workbook.
- `official_outcomes(rt, actor, cycle_id)`: the same, limited to the units the person may see.
- `assessment_lines(rt, actor, cycle_id) -> [AssessmentLine]`: every grassroots unit in scope with
  its status (`STATUSES`: Chưa đăng ký / Chưa đánh giá / Nháp / Mở lại / Đạt / Không đạt /
  Lỗi dữ liệu); `status_of(wb, catalogue, cycle_id, unit_id)` for one unit.
- `assessment_problems(wb, catalogue) -> [RowProblem]`: what the data-health screen lists.
- `assessment_rows(...) -> (assessment cells, [item cells])`: rows for demo seeding, results
  computed the same way as a real submission.
- `assessment_cutoff(cycle)`, `cycle_to_assess(wb, now)`; `open_assessment`, `save_draft`,
  `submit`, `reopen` for the screen.

The reading half lives in services/year_end/assessment_outcomes.py and the row builders in
services/year_end/assessment_rows.py; both are re-exported here, so import everything from this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.criteria import CriteriaSet
from schemas.models import (
    Assessment,
    AssessmentItem,
    AssessmentState,
    Assessor,
    Cycle,
    Decision,
    LatePolicy,
    Unit,
    decimal_cell,
)
from schemas.vntext import clean
from services.core import records
from services.core.access import (
    Actor,
    Role,
    can_review,
    ensure_can_view,
    is_secretary_of,
)
from services.core.errors import AccessDenied, DomainError, InvalidInput, NotAllowed, NotFound
from services.core.forms import free_text
from services.core.runtime import Runtime
from services.core.workbook import RowProblem, Workbook
from services.registration import deadlines, lineage
from services.registration.cycles import assessment_cutoff, get_cycle
from services.storage import Append, CellChange, Conflict, Update
from services.year_end.assessment_index import Evaluated, is_registered
from services.year_end.assessment_outcomes import (  # the reading half of the public API, re-exported
    DRAFT,
    FAILED,
    NEEDS_CHECK,
    NOT_ASSESSED,
    NOT_REGISTERED,
    PASSED,
    REOPENED,
    STATUSES,
    AssessmentLine,
    Outcome,
    assessment_lines,
    assessment_problems,
    cycle_to_assess,
    index_of,
    official_outcomes,
    outcomes_of,
    status_of,
)
from services.year_end.assessment_rows import assessment_rows, item_id, result_cells
from services.year_end.scoring import Result, compute, threshold_for

__all__ = [
    "DRAFT",
    "FAILED",
    "NEEDS_CHECK",
    "NOT_ASSESSED",
    "NOT_REGISTERED",
    "PASSED",
    "REOPENED",
    "STATUSES",
    "AssessmentClosed",
    "AssessmentLine",
    "AssessmentView",
    "Outcome",
    "assessment_cutoff",
    "assessment_lines",
    "assessment_problems",
    "assessment_rows",
    "cycle_to_assess",
    "index_of",
    "item_id",
    "official_outcomes",
    "open_assessment",
    "outcomes_of",
    "reopen",
    "save_draft",
    "status_of",
    "submit",
]

TEXT_LIMIT = 2000  # characters in an evidence note, a comment or a reopening reason


class AssessmentClosed(DomainError):
    """The cycle's assessment cut-off has passed and it refuses late assessments."""


# ---- the form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentView:
    """One assessment as a person sees it: unit, cycle, set, stored values, computed result."""

    unit: Unit
    cycle: Cycle
    criteria: CriteriaSet | None
    official: bool
    found: Evaluated | None
    editable: bool  # this person may change it now (their kind of assessment, not locked)
    can_reopen: bool
    cutoff_words: str

    @property
    def assessment(self) -> Assessment | None:
        return self.found.assessment if self.found else None

    @property
    def items(self) -> dict[str, AssessmentItem]:
        return self.found.items if self.found else {}

    @property
    def result(self) -> Result | None:
        return self.found.result if self.found else None

    @property
    def problems(self) -> tuple[RowProblem, ...]:
        return self.found.problems if self.found else ()


def open_assessment(
    rt: Runtime, actor: Actor, cycle_id: str, unit_id: str, official: bool | None = None
) -> AssessmentView:
    """The official (or self-) assessment of a unit in a cycle, as this person may see it.

    `official=None` picks the one this person fills: a secretary their unit's self-assessment,
    an upper unit or the province the official one.
    """
    wb = rt.workbook()
    ensure_can_view(wb, actor, unit_id)
    unit = _assessable_unit(wb, unit_id)
    cycle = get_cycle(wb, cycle_id)
    if official is None:
        official = not is_secretary_of(actor, unit_id)
    found = index_of(wb, rt.criteria).find(cycle_id, unit_id, official)
    may_fill = can_review(wb, actor, unit_id) if official else is_secretary_of(actor, unit_id)
    if not may_fill and found is not None and found.assessment.state is AssessmentState.DRAFT:
        found = None  # a draft belongs to whoever fills it until it is sent
    ref = found.assessment.criteria_set if found else cycle.criteria_for(unit.kind)
    return AssessmentView(
        unit=unit,
        cycle=cycle,
        criteria=rt.criteria.get(ref),
        official=official,
        found=found,
        editable=may_fill and not (found and found.assessment.locked),
        can_reopen=found is not None
        and found.assessment.locked
        and reopen_refusal(wb, actor, found.assessment) is None,
        cutoff_words=deadlines.cutoff_words(assessment_cutoff(cycle)),
    )


def save_draft(
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    unit_id: str,
    data: Mapping[str, Any],
    request_key: str,
    loaded: Assessment | None = None,
    loaded_items: Mapping[str, AssessmentItem] | None = None,
) -> AssessmentView:
    """Save an assessment as a draft: values are checked, but it may be incomplete.

    `data` is the form: {"values": {criterion: text}, "evidence": {criterion: text}, "note": text}.
    `loaded` (and `loaded_items`) are the records as the form first showed them: a save based on
    an older copy is refused as a Conflict.
    """
    return _save(rt, actor, cycle_id, unit_id, data, request_key, loaded, loaded_items, False)


def submit(
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    unit_id: str,
    data: Mapping[str, Any],
    request_key: str,
    loaded: Assessment | None = None,
    loaded_items: Mapping[str, AssessmentItem] | None = None,
) -> AssessmentView:
    """Send an assessment: every required criterion must have a value; it is locked afterwards."""
    return _save(rt, actor, cycle_id, unit_id, data, request_key, loaded, loaded_items, True)


def reopen_refusal(wb: Workbook, actor: Actor, assessment: Assessment) -> str | None:
    """Why this person may not reopen the assessment, or None when they may."""
    if actor.role is Role.PROVINCE:
        return None
    made_it = (
        actor.role is Role.UPPER
        and assessment.official
        and actor.unit_id == (assessment.assessor_unit_id or assessment.upper_unit_id)
    )
    if not made_it:
        return "Chỉ Đoàn cấp trên đã đánh giá hoặc cán bộ Tỉnh đoàn mới mở lại được bản đánh giá."
    decision = _recognised_in(wb, assessment.cycle_id, assessment.unit_id)
    if decision is not None:
        return (
            f"{wb.unit_name(assessment.unit_id)} đã có trong Quyết định công nhận số "
            f"{decision.number}; từ lúc đó chỉ cán bộ Tỉnh đoàn mới mở lại được bản đánh giá."
        )
    return None


def reopen_hint(rt: Runtime, actor: Actor, assessment: Assessment) -> str:
    """Whom to ask to reopen a sent assessment this person may not reopen themselves."""
    wb = rt.workbook()
    decision = _recognised_in(wb, assessment.cycle_id, assessment.unit_id)
    if decision is not None:
        return (
            f"{wb.unit_name(assessment.unit_id)} đã có trong Quyết định công nhận số "
            f"{decision.number}, nên chỉ cán bộ Tỉnh đoàn mới mở lại được."
        )
    if assessment.official and assessment.assessor_unit_id not in ("", actor.unit_id):
        who = wb.unit_name(assessment.assessor_unit_id)
        return f"Cần sửa, hãy đề nghị {who} (đơn vị đã đánh giá) hoặc cán bộ Tỉnh đoàn mở lại."
    return "Cần sửa, hãy đề nghị cán bộ Tỉnh đoàn mở lại."


def _recognised_in(wb: Workbook, cycle_id: str, unit_id: str) -> Decision | None:
    """The recorded decision of this cycle listing the unit (as decisions.recognised counts it)."""
    for row in wb.decision_units.values():
        decision = wb.decisions.get(row.decision_id)
        if row.listed and (row.cycle_id, row.unit_id) == (cycle_id, unit_id) and decision:
            if decision.cycle_id == cycle_id:
                return decision
    return None


def reopen(
    rt: Runtime, actor: Actor, loaded: Assessment, reason: str, request_key: str
) -> AssessmentView:
    """Reopen a submitted assessment so it can be corrected; the reason is kept and audited.

    The upper unit that made an official assessment may reopen it until the unit is on a recorded
    recognition decision of that cycle; province staff may reopen any, also after that.
    """
    refused = reopen_refusal(rt.workbook(), actor, loaded)
    if refused:
        raise AccessDenied(refused)
    reason = free_text(reason, "Lý do mở lại", TEXT_LIMIT, required=True)
    with rt.store.serialised():
        wb = rt.workbook()
        current = wb.assessments.get(loaded.id)
        if current is None:
            raise NotFound(f"Không tìm thấy bản đánh giá {loaded.id}.")
        if current.state is AssessmentState.REOPENED and current.reopen_reason == reason:
            return open_assessment(rt, actor, current.cycle_id, current.unit_id, current.official)
        if loaded.state is not AssessmentState.SUBMITTED:
            raise NotAllowed("Chỉ mở lại được bản đánh giá đang ở trạng thái 'Đã gửi'.")
        now = rt.clock.now()
        cells = {
            "state": to_cell(AssessmentState.REOPENED),
            "reopened_at": iso(now),
            "reopened_by": actor.label,
            "reopen_reason": reason,
        }
        rt.store.apply(records.change(actor, now, "Mở lại đánh giá", loaded, cells, request_key))
    return open_assessment(rt, actor, loaded.cycle_id, loaded.unit_id, loaded.official)


def _save(
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    unit_id: str,
    data: Mapping[str, Any],
    request_key: str,
    loaded: Assessment | None,
    loaded_items: Mapping[str, AssessmentItem] | None,
    sending: bool,
) -> AssessmentView:
    with rt.store.serialised():
        wb = rt.workbook()
        now = rt.clock.now()
        unit = _assessable_unit(wb, unit_id)
        cycle = get_cycle(wb, cycle_id)
        official = _ensure_can_fill(wb, actor, unit)
        rec_id = records.record_id(tabs.ASSESSMENTS.name, request_key)
        if rec_id in wb.assessments:  # the same submission arrived twice: stored once
            return open_assessment(rt, actor, cycle_id, unit_id, official)
        _ensure_assessable(wb, cycle, unit)
        found = index_of(wb, rt.criteria).find(cycle_id, unit_id, official)
        current = _current_for_form(found, loaded, unit)
        criteria = _criteria_for(rt, current, cycle, unit)
        form = _read_form(criteria, data, found)
        threshold = threshold_for(criteria, cycle.points_threshold)
        result = compute(criteria, form.values, threshold)
        _check(criteria, result, sending)
        cells = {
            "state": to_cell(_next_state(current, sending)),
            "criteria_fingerprint": criteria.fingerprint,
            **result_cells(result),
            "points_threshold": decimal_cell(threshold),
            "note": form.note,
            "on_time": to_cell(_judged_on_time(cycle, current, now, sending)),
            "updated_at": iso(now),  # always written, so a stale form is always a Conflict
        }
        if sending:
            cells |= {"submitted_at": iso(now), "submitted_by": actor.label}
        who = "đánh giá" if official else "tự đánh giá"
        action = f"Gửi {who}" if sending else f"Lưu nháp {who}"
        assessment_id = current.id if current else rec_id
        items = _item_ops(
            actor, now, request_key, assessment_id, cycle_id, unit_id, form, found, loaded_items
        )
        if loaded is None:  # nothing stored yet (else the form would have loaded it)
            cells |= _identity(rec_id, cycle_id, unit, actor, official, criteria)
            unique = ("cycle_id", "unit_id", "assessor")
            rt.store.apply(
                records.create(
                    actor, now, action, cells, tabs.ASSESSMENTS.name, request_key, unique, items
                )
            )
        else:
            rt.store.apply(
                records.change(actor, now, action, loaded, cells, request_key, also=items)
            )
    return open_assessment(rt, actor, cycle_id, unit_id, official)


def _identity(
    rec_id: str, cycle_id: str, unit: Unit, actor: Actor, official: bool, criteria: CriteriaSet
) -> dict[str, str]:
    """The cells a new assessment is written with once: whose it is, by whom, on which set."""
    return {
        "id": rec_id,
        "cycle_id": cycle_id,
        "unit_id": unit.id,
        "upper_unit_id": unit.parent_id or "",
        "assessor": to_cell(Assessor.UPPER if official else Assessor.SELF),
        "assessor_unit_id": actor.unit_id,
        "criteria_set": criteria.ref,
        "version": "1",
    }


def _current_for_form(
    found: Evaluated | None, loaded: Assessment | None, unit: Unit
) -> Assessment | None:
    """The stored assessment this form edits (None: the form creates it). Refuses a form that
    opened empty while someone created it, one whose assessment is gone, and a locked one."""
    current = found.assessment if found else None
    if current is not None and loaded is None:
        # Someone created it while this form was open empty: show what they saved.
        shown = ("state", "result_nd1", "result_nd2", "result_nd3", "result", "note")
        raise Conflict(
            tabs.ASSESSMENTS.name,
            current.id,
            [CellChange(f, "", current.cells[f]) for f in (*shown, "updated_at")],
        )
    if loaded is not None and (current is None or current.id != loaded.id):
        raise NotFound(f"Không tìm thấy bản đánh giá {loaded.id} (có thể đã bị xoá).")
    if current is not None and current.locked:
        raise NotAllowed(
            f"Bản đánh giá của {unit.name} đã gửi nên đã khoá. Cần sửa, hãy đề nghị "
            "cán bộ Tỉnh đoàn mở lại."
        )
    return current


def _criteria_for(rt: Runtime, current: Assessment | None, cycle: Cycle, unit: Unit) -> CriteriaSet:
    """The set an assessment is judged by: the one it was started with, else the cycle's set for
    the unit's kind."""
    ref = current.criteria_set if current else cycle.criteria_for(unit.kind)
    criteria = rt.criteria.get(ref)
    if criteria is None:
        raise NotAllowed(
            f"Không có bộ tiêu chí {ref} trong danh mục; báo cán bộ Tỉnh đoàn xem lại."
        )
    return criteria


def _judged_on_time(
    cycle: Cycle, current: Assessment | None, now: datetime, sending: bool
) -> bool | None:
    """Decided at the first submission and never flipped; None while only drafts exist.
    A first submission after the cut-off is refused under the cycle's refuse policy."""
    on_time = current.on_time if current else None
    if sending and on_time is None:
        cutoff = assessment_cutoff(cycle)
        on_time = deadlines.is_on_time(now, cutoff)
        if not on_time and cycle.late_policy is LatePolicy.REFUSE:
            raise AssessmentClosed(
                f"Hạn đánh giá {cycle.name} đã {deadlines.cutoff_words(cutoff)}. "
                "Liên hệ cán bộ Tỉnh đoàn nếu cần gia hạn."
            )
    return on_time


def _next_state(current: Assessment | None, sending: bool) -> AssessmentState:
    if sending:
        return AssessmentState.SUBMITTED
    return current.state if current else AssessmentState.DRAFT


@dataclass(frozen=True)
class _Form:
    values: dict[str, str]
    evidence: dict[str, str]
    note: str


def _read_form(criteria: CriteriaSet, data: Mapping[str, Any], found: Evaluated | None) -> _Form:
    """The typed values, evidence notes and comment, cleaned; unknown criteria refused.

    Criteria the form leaves out keep their stored value and note.
    """
    values = {str(k): clean(str(v or "")) for k, v in dict(data.get("values") or {}).items()}
    evidence = {str(k): str(v or "").strip() for k, v in dict(data.get("evidence") or {}).items()}
    problems = []
    unknown = sorted((set(values) | set(evidence)) - set(criteria.criteria))
    if unknown:
        problems.append(f"Tiêu chí không có trong bộ {criteria.ref}: {', '.join(unknown)}")
    for cid, text in evidence.items():
        if len(text) > TEXT_LIMIT:
            problems.append(f"Minh chứng tiêu chí {cid}: quá dài (tối đa {TEXT_LIMIT} ký tự)")
    kept = found.assessment.note if found else ""
    note = str(data.get("note") or "").strip() if "note" in data else kept
    if len(note) > TEXT_LIMIT:
        problems.append(f"Nhận xét: quá dài (tối đa {TEXT_LIMIT} ký tự)")
    if problems:
        raise InvalidInput(problems)
    if found is not None:
        values = {**found.values, **values}
        evidence = {**found.evidence, **evidence}
    return _Form(values, evidence, note)


def _check(criteria: CriteriaSet, result: Result, sending: bool) -> None:
    """Values must fit their kind; on submission every required criterion needs a value."""
    problems = [
        f"Tiêu chí {cid} ({_short(criteria.criteria[cid].title)}): {reason}"
        for cid, reason in result.invalid.items()
    ]
    if sending:
        problems += [
            f"Tiêu chí {cid} ({_short(criteria.criteria[cid].title)}): bắt buộc phải nhập "
            "trước khi gửi"
            for cid in result.missing
            if cid not in result.invalid
        ]
    if problems:
        raise InvalidInput(problems)


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _item_key(request_key: str, criterion_id: str) -> str:
    """Each item's own audit key (its audit row id comes from the first 12 characters), still
    ending with the form's request key so the audit log ties them together."""
    digest = hashlib.sha256(f"{request_key}/{criterion_id}".encode()).hexdigest()[:12]
    return digest + request_key


def _item_ops(
    actor: Actor,
    now: datetime,
    request_key: str,
    assessment_id: str,
    cycle_id: str,
    unit_id: str,
    form: _Form,
    found: Evaluated | None,
    loaded_items: Mapping[str, AssessmentItem] | None,
) -> list[Append | Update]:
    """Create or change one criterion-result row per criterion that has a value or a note."""
    ops: list[Append | Update] = []
    stored = found.items if found else {}
    held = _own_items(assessment_id, stored, loaded_items)
    for cid in dict.fromkeys([*form.values, *form.evidence]):
        value, evidence = form.values.get(cid, ""), form.evidence.get(cid, "")
        key = _item_key(request_key, cid)
        existing = held.get(cid) or stored.get(cid)
        if existing is not None:
            changes = {"value": value, "evidence": evidence}
            ops += records.change(actor, now, "Ghi kết quả tiêu chí", existing, changes, key)
        elif value or evidence:
            cells = {
                "id": item_id(assessment_id, cid),
                "assessment_id": assessment_id,
                "unit_id": unit_id,
                "cycle_id": cycle_id,
                "criterion_id": cid,
                "value": value,
                "evidence": evidence,
                "version": "1",
                "updated_at": iso(now),
            }
            ops += records.create(
                actor, now, "Ghi kết quả tiêu chí", cells, tabs.ASSESSMENT_ITEMS.name, key
            )
    return ops


def _own_items(
    assessment_id: str,
    stored: Mapping[str, AssessmentItem],
    loaded_items: Mapping[str, AssessmentItem] | None,
) -> dict[str, AssessmentItem]:
    """The form's loaded items, each checked to be a row of the assessment being saved.

    Never trust what a form hands back: an item of another assessment (another unit's, or the
    locked official one) would otherwise be rewritten through this one.
    """
    held = dict(loaded_items or {})
    for cid, item in held.items():
        own = stored.get(cid)
        allowed = {own.id} if own is not None else {item_id(assessment_id, cid)}
        if (
            item.assessment_id != assessment_id
            or item.criterion_id != cid
            or item.id not in allowed
        ):
            raise NotAllowed(
                f"Kết quả tiêu chí {cid} không thuộc bản đánh giá này nên không được ghi. "
                "Hãy tải lại trang rồi nhập lại."
            )
    return held


def _assessable_unit(wb: Workbook, unit_id: str) -> Unit:
    unit = wb.units.get(unit_id)
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã {unit_id}.")
    if not unit.kind.is_grassroots:
        raise NotAllowed(f"{unit.name} không phải đoàn cơ sở nên không được đánh giá.")
    return unit


def _ensure_can_fill(wb: Workbook, actor: Actor, unit: Unit) -> bool:
    """True for the official assessment (upper unit or province), False for a self-assessment."""
    if is_secretary_of(actor, unit.id):
        return False
    if can_review(wb, actor, unit.id):
        return True
    raise AccessDenied(f"Bạn không có quyền đánh giá {unit.name}.")


def _ensure_assessable(wb: Workbook, cycle: Cycle, unit: Unit) -> None:
    key = (cycle.id, unit.id)
    if key in wb.broken_registrations or key in wb.broken_assessments:
        raise NotAllowed(
            f"Dữ liệu đăng ký hoặc đánh giá của {unit.name} trong bảng tính đang có lỗi; "
            "cần sửa ở màn hình Dữ liệu trước khi đánh giá."
        )
    if not is_registered(wb, cycle.id, unit.id):
        raise NotAllowed(
            f'{unit.name} chưa đăng ký xây dựng Đoàn cơ sở "3 chủ động" trong '
            f"{cycle.name} nên không được đánh giá."
        )
    lineage.ensure_exists_in(wb, cycle, unit, "đánh giá")
    lineage.ensure_not_superseded(wb, cycle, unit, "đánh giá")
