"""Cycles: a year's round with its criteria set, cut-offs and late policy (province staff only).

Besides registration and roll-up, a cycle has an assessment cut-off (default: late from 01/01 of
N+1, an assumption: the programme says "at the end of year N") and an optional points threshold
that switches scoring on for the cycle (blank: as the criteria set says, which is off by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.criteria import set_for_year
from schemas.models import Cycle, LatePolicy, UnitKind, decimal_cell
from services.core import records
from services.core.access import Actor, ensure_province
from services.core.errors import InvalidInput, NotFound
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration import deadlines


@dataclass(frozen=True)
class CycleDraft:
    """What the cycle form proposes for a year: the defaults a person then adjusts."""

    year: int
    name: str
    criteria_set: str
    register_last_day: date
    report_last_day: date
    late_policy: LatePolicy = LatePolicy.FLAG
    assess_last_day: date | None = None  # None: the default, 31/12 of year N
    points_threshold: float | None = None  # None: points as the criteria set says (off)
    # (unit kind label, criteria set ref) for the kinds judged on a set of their own
    kind_criteria: tuple[tuple[str, str], ...] = ()


def default_assessment_cutoff(year: int) -> datetime:
    """Assessed 'at the end of year N' (programme.md §4): late from 01/01 of N+1 [assumed]."""
    return deadlines.start_of_day(date(year + 1, 1, 1))


def assessment_cutoff(cycle: Cycle) -> datetime:
    """The first late instant for a cycle's assessments (the default when the cell is blank)."""
    return cycle.assess_cutoff or default_assessment_cutoff(cycle.year)


def draft_for(rt: Runtime, year: int) -> CycleDraft:
    """Defaults for year N: register until 09/10 of N-1, report until 14/10, the set covering N."""
    register, report = deadlines.default_cutoffs(year)
    criteria = set_for_year(rt.criteria, year)
    return CycleDraft(
        year,
        f"Năm {year}",
        criteria.ref if criteria else "",
        deadlines.last_day(register),
        deadlines.last_day(report),
        assess_last_day=deadlines.last_day(default_assessment_cutoff(year)),
    )


def next_year(rt: Runtime) -> int:
    """The year a new cycle is most likely for: next year (registration for N runs in October of
    N-1), or the first year after it that has no cycle yet."""
    taken = {c.year for c in rt.workbook().cycles.values()}
    year = rt.clock.now().year + 1
    while year in taken:
        year += 1
    return year


def draft_of(cycle: Cycle) -> CycleDraft:
    """The edit form's starting values for an existing cycle (cut-offs shown as last days)."""
    return CycleDraft(
        cycle.year,
        cycle.name,
        cycle.criteria_set,
        deadlines.last_day(cycle.register_cutoff),
        deadlines.last_day(cycle.report_cutoff),
        cycle.late_policy,
        deadlines.last_day(assessment_cutoff(cycle)),
        cycle.points_threshold,
        tuple(cycle.criteria_by_kind.items()),
    )


def list_cycles(rt: Runtime, actor: Actor) -> list[Cycle]:
    """Every cycle, newest first: cycles are public to everyone signed in."""
    return rt.workbook().cycles_newest_first()


def get_cycle(wb: Workbook, cycle_id: str) -> Cycle:
    cycle = wb.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(f"Không tìm thấy đợt có mã {cycle_id}.")
    return cycle


def current_cycle(wb: Workbook, now: datetime) -> Cycle | None:
    """The cycle staff most likely mean: the next registration cut-off still ahead, else the newest."""
    upcoming = [c for c in wb.cycles.values() if c.register_cutoff > now]
    if upcoming:
        return min(upcoming, key=lambda c: c.register_cutoff)
    newest = wb.cycles_newest_first()
    return newest[0] if newest else None


def save_cycle(
    rt: Runtime, actor: Actor, draft: CycleDraft, request_key: str, loaded: Cycle | None = None
) -> Cycle:
    """Create a cycle (one per year), or edit `loaded`; the cut-offs are stored as first late instants."""
    ensure_province(actor, "tạo hoặc sửa đợt")
    cells = _validated_cells(rt, draft)
    with rt.store.serialised():
        wb = rt.workbook()
        now = rt.clock.now()
        clash = [
            c
            for c in wb.cycles.values()
            if c.year == draft.year and (loaded is None or c.id != loaded.id)
        ]
        if clash:
            raise InvalidInput([f"Năm thực hiện: đã có đợt năm {draft.year} ({clash[0].name})"])
        if loaded is not None:
            rt.store.apply(records.change(actor, now, "Sửa đợt", loaded, cells, request_key))
            return Cycle.from_cells({**loaded.cells, **cells})
        rec_id = records.record_id(tabs.CYCLES.name, request_key)
        if rec_id in wb.cycles:
            return wb.cycles[rec_id]
        cells = {**cells, "id": rec_id, "version": "1", "updated_at": iso(now)}
        rt.store.apply(
            records.create(
                actor, now, "Tạo đợt", cells, tabs.CYCLES.name, request_key, unique=("year",)
            )
        )
        return Cycle.from_cells(cells)


CYCLE_NAME_LIMIT = 200


def _kind_problems(rt: Runtime, draft: CycleDraft) -> list[str]:
    """Each per-kind set names a real unit kind (once) and a set of the catalogue."""
    problems, seen = [], set()
    kinds = {k.value for k in UnitKind}
    for kind, ref in draft.kind_criteria:
        if kind not in kinds or kind in seen:
            problems.append(f"Bộ tiêu chí theo loại đơn vị: loại '{kind}' không hợp lệ hoặc bị lặp")
        if ref not in rt.criteria:
            problems.append(f"Bộ tiêu chí theo loại đơn vị: không có bộ '{ref}' (cho {kind})")
        seen.add(kind)
    return problems


def period_warnings(rt: Runtime, draft: CycleDraft) -> list[str]:
    """The criteria sets of a cycle whose period does not cover its year (saved anyway: a
    province may keep an older set for a year, but should know)."""
    refs = dict.fromkeys([draft.criteria_set, *(ref for _, ref in draft.kind_criteria)])
    warnings = []
    for ref in refs:
        criteria = rt.criteria.get(ref)
        if criteria is not None and not criteria.period[0] <= draft.year <= criteria.period[1]:
            start, end = criteria.period
            warnings.append(
                f"Bộ tiêu chí {ref} áp dụng cho giai đoạn {start}–{end}, không gồm năm "
                f"{draft.year}: hãy kiểm tra lại bộ tiêu chí của chu kỳ."
            )
    return warnings


def _validated_cells(rt: Runtime, draft: CycleDraft) -> dict[str, str]:
    problems = []
    if not 2000 <= draft.year <= 2100:
        problems.append("Năm thực hiện: phải trong khoảng 2000–2100")
    if not draft.name.strip():
        problems.append("Tên đợt: bắt buộc phải nhập")
    elif len(draft.name) > CYCLE_NAME_LIMIT:
        problems.append(
            f"Tên đợt: quá dài (tối đa {CYCLE_NAME_LIMIT} ký tự, đang có {len(draft.name)})"
        )
    if draft.criteria_set not in rt.criteria:
        problems.append(f"Bộ tiêu chí: không có bộ '{draft.criteria_set}'")
    problems += _kind_problems(rt, draft)
    if draft.report_last_day < draft.register_last_day:
        problems.append("Hạn báo cáo lên tỉnh: không được sớm hơn hạn đăng ký")
    assess_last_day = draft.assess_last_day or deadlines.last_day(
        default_assessment_cutoff(draft.year)
    )
    if assess_last_day < draft.register_last_day + timedelta(days=1):
        problems.append("Hạn đánh giá: phải sau hạn đăng ký")
    criteria = rt.criteria.get(draft.criteria_set)
    if draft.points_threshold is not None and criteria is not None:
        try:
            criteria.check_threshold(draft.points_threshold)
        except ValueError as exc:
            problems.append(f"Ngưỡng điểm: {exc}")
    if problems:
        raise InvalidInput(problems)
    return {
        "year": str(draft.year),
        "name": " ".join(draft.name.split()),
        "criteria_set": draft.criteria_set,
        "register_cutoff": iso(deadlines.cutoff_after(draft.register_last_day)),
        "report_cutoff": iso(deadlines.cutoff_after(draft.report_last_day)),
        "late_policy": to_cell(draft.late_policy),
        "assess_cutoff": iso(deadlines.cutoff_after(assess_last_day)),
        "points_threshold": decimal_cell(draft.points_threshold),
        "kind_criteria": "; ".join(f"{kind}: {ref}" for kind, ref in draft.kind_criteria),
    }
