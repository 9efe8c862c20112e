"""A person's tasks in the rounds still running, each with its deadline, and their next one.

The next task's round is the one every cycle picker opens on and the one the home page names as
"Việc tiếp theo" (docs/decisions.md, decision 29): among the tasks still undone for this person,
the one whose deadline comes first and is still ahead; with nothing undone, the round with the
nearest deadline still ahead; else the newest round. The home page's lists are these same tasks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from schemas.models import AssessmentState, Cycle, RegistrationState, Unit
from services.core.access import Actor, Role, scope
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration import deadlines, rollups
from services.registration.cycles import current_cycle
from services.registration.status import NEEDS_CHECK, NOT_YET, RETURNED, unit_status
from services.year_end import decisions
from services.year_end.assessments import (
    DRAFT,
    NOT_ASSESSED,
    NOT_REGISTERED,
    REOPENED,
    AssessmentLine,
    assessment_cutoff,
    assessment_lines,
    cycle_to_assess,
    official_outcomes,
)

REGISTER, REPORT, ASSESS = "hạn đăng ký", "hạn báo cáo lên tỉnh", "hạn đánh giá"


@dataclass(frozen=True)
class Task:
    """One line of a person's list in one round: `undone` when something is left for them to do
    by `deadline` (the first late instant, named by `stage`); otherwise it only informs."""

    cycle: Cycle
    stage: str
    deadline: datetime
    words: str
    undone: bool


@dataclass(frozen=True)
class NextTask:
    """The round a person's next task is in, and the sentence the home page says about it."""

    cycle: Cycle
    words: str


def registration_round(wb: Workbook, now: datetime) -> Cycle | None:
    """The round whose registration is next (see `current_cycle`)."""
    return current_cycle(wb, now)


def assessment_round(wb: Workbook, now: datetime) -> Cycle | None:
    """The round being assessed now, once its year has begun (see `cycle_to_assess`)."""
    cycle = cycle_to_assess(wb, now)
    return cycle if cycle is not None and cycle.year <= now.year else None


def registration_tasks(rt: Runtime, actor: Actor, cycle: Cycle) -> list[Task]:
    """Registering (a secretary) or following the units' registrations (everyone else)."""
    wb = rt.workbook()
    units = wb.grassroots(scope(wb, actor))
    if actor.role is Role.SECRETARY:
        return _own_registration(wb, actor, cycle, units[0] if units else None)
    statuses = Counter(unit_status(wb, cycle, u) for u in units)
    waiting = sum(
        1
        for u in units
        if (r := wb.registration(cycle.id, u.id)) and r.state is RegistrationState.SENT
    )
    acts = actor.role is not Role.VIEWER

    def task(words: str, undone: bool) -> Task:
        return Task(cycle, REGISTER, cycle.register_cutoff, words, undone and acts)

    found = [
        task(f"{statuses[NOT_YET]} / {len(units)} đoàn cơ sở chưa đăng ký.", statuses[NOT_YET] > 0)
    ]
    if acts and waiting:
        found.append(task(f"{waiting} đăng ký đang chờ tiếp nhận.", True))
    if statuses[NEEDS_CHECK]:
        found.append(task(f"{statuses[NEEDS_CHECK]} đơn vị có lỗi dữ liệu cần sửa.", False))
    return found


def _own_registration(wb: Workbook, actor: Actor, cycle: Cycle, unit: Unit | None) -> list[Task]:
    """A secretary's own registration: to send while none is sent or it was returned."""
    status = unit_status(wb, cycle, unit) if unit else NOT_YET
    reg = wb.registration(cycle.id, actor.unit_id)
    cutoff = deadlines.registration_cutoff(cycle, wb.extension(cycle.id, actor.unit_id))
    if status == NOT_YET:
        words, undone = "Đơn vị chưa đăng ký kế hoạch: vào màn hình Đăng ký để gửi.", True
    elif status == RETURNED and reg:
        words, undone = f"Đoàn cấp trên trả lại để sửa: {reg.return_reason}", True
    elif reg:
        words, undone = f"Đăng ký đã gửi, trạng thái: {reg.state.value}.", False
    else:
        return []
    return [Task(cycle, REGISTER, cutoff, words, undone)]


def report_tasks(rt: Runtime, actor: Actor, cycle: Cycle) -> list[Task]:
    """The roll-up reports to the province: an officer's own, the province's every upper unit's."""
    if actor.role not in (Role.UPPER, Role.PROVINCE):
        return []
    wb = rt.workbook()
    uppers = rollups.reporting_units(rt, actor, cycle.id)
    missing = [u for u in uppers if wb.upper_report(cycle.id, u) is None]
    if not uppers:
        return []
    if actor.role is Role.UPPER:
        words = "Chưa gửi báo cáo lên tỉnh." if missing else "Đã gửi báo cáo lên tỉnh."
    else:
        words = f"{len(missing)} / {len(uppers)} Đoàn cấp trên chưa gửi báo cáo lên tỉnh."
    return [Task(cycle, REPORT, cycle.report_cutoff, words, bool(missing))]


def assessment_tasks(rt: Runtime, actor: Actor, cycle: Cycle) -> list[Task]:
    """Year end: the self-assessment (a secretary); assessing and recognising (everyone else)."""
    lines = assessment_lines(rt, actor, cycle.id)
    cutoff = assessment_cutoff(cycle)
    if actor.role is Role.SECRETARY:
        return _own_assessment(cycle, cutoff, lines[0]) if lines else []
    count = Counter(line.status for line in lines)
    acts = actor.role is not Role.VIEWER
    registered = len(lines) - count[NOT_REGISTERED]
    left = count[NOT_ASSESSED] + count[DRAFT] + count[REOPENED]
    found = [
        Task(
            cycle,
            ASSESS,
            cutoff,
            f"{left} / {registered} đơn vị đã đăng ký chưa có bản đánh giá đã gửi.",
            acts and left > 0,
        )
    ]
    recognised = decisions.recognised(rt.workbook(), cycle.id)
    waiting = sum(
        1
        for unit_id, outcome in official_outcomes(rt, actor, cycle.id).items()
        if outcome.passed and unit_id not in recognised
    )
    if acts and waiting:
        words = f"{waiting} đơn vị đạt chưa có trong quyết định công nhận."
        found.append(Task(cycle, ASSESS, cutoff, words, True))
    return found


def _own_assessment(cycle: Cycle, cutoff: datetime, line: AssessmentLine) -> list[Task]:
    """A secretary's unit at year end: the upper unit's assessment, and the self-assessment to
    send while the unit is registered and has not sent one."""
    found = [
        Task(cycle, ASSESS, cutoff, f"Đánh giá của Đoàn cấp trên cho đơn vị: {line.status}.", False)
    ]
    own = line.self_assessment
    if line.status not in (NOT_REGISTERED, NEEDS_CHECK) and (
        own is None or own.assessment.state is not AssessmentState.SUBMITTED
    ):
        words = "Đơn vị chưa gửi bản tự đánh giá: vào màn hình Đánh giá để tự đánh giá."
        found.append(Task(cycle, ASSESS, cutoff, words, True))
    return found


def all_tasks(rt: Runtime, actor: Actor) -> list[Task]:
    """Every task of this person in the round being registered and the round being assessed."""
    wb, now = rt.workbook(), rt.clock.now()
    found: list[Task] = []
    registering = registration_round(wb, now)
    if registering is not None:
        found += registration_tasks(rt, actor, registering)
        found += report_tasks(rt, actor, registering)
    assessing = assessment_round(wb, now)
    if assessing is not None:
        found += assessment_tasks(rt, actor, assessing)
    return found


def next_task(rt: Runtime, actor: Actor) -> NextTask | None:
    """This person's next task and its round (None: no round at all); see the module's rule.

    Computed once per data version and minute for everyone with the same role and unit: every
    screen's cycle picker asks for it on every run."""
    return rt.per_minute(
        ("next task", actor.role, actor.unit_id), lambda _wb, _now: _next_task(rt, actor)
    )


def _next_task(rt: Runtime, actor: Actor) -> NextTask | None:
    wb, now = rt.workbook(), rt.clock.now()
    ahead = [t for t in all_tasks(rt, actor) if t.undone and t.deadline > now]
    if ahead:
        task = min(ahead, key=lambda t: t.deadline)
        when = _deadline_words(task.stage, task.deadline)
        return NextTask(task.cycle, f"{task.cycle.name} — {task.words.rstrip('.')} ({when}).")
    nearest = [
        (cutoff, stage, c)
        for c in wb.cycles.values()
        for stage, cutoff in (
            (REGISTER, c.register_cutoff),
            (REPORT, c.report_cutoff),
            (ASSESS, assessment_cutoff(c)),
        )
        if cutoff > now
    ]
    if nearest:
        cutoff, stage, cycle = min(nearest, key=lambda found: found[0])
        done = "" if actor.role is Role.VIEWER else "không còn việc nào chờ bạn; "
        return NextTask(cycle, f"{cycle.name} — {done}{_deadline_words(stage, cutoff)}.")
    newest = wb.cycles_newest_first()
    if not newest:
        return None
    return NextTask(newest[0], f"{newest[0].name} — mọi hạn của các năm đều đã qua.")


def _deadline_words(stage: str, cutoff: datetime) -> str:
    return f"{stage}: {deadlines.cutoff_words(cutoff)}"


def next_task_cycle(rt: Runtime, actor: Actor) -> Cycle | None:
    """The round every cycle picker opens on for this person: their next task's."""
    found = next_task(rt, actor)
    return found.cycle if found else None
