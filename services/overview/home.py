"""Trang chủ: what needs this person's attention: their next task, the cycle open for registration
now, and the cycle being assessed at year end. The lines are the tasks of `services.overview.tasks`,
the same ones the next task (and so every cycle picker) is chosen from."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.access import Actor
from services.core.runtime import Runtime
from services.overview import tasks
from services.registration import deadlines
from services.registration.cycles import assessment_cutoff


@dataclass(frozen=True)
class Todo:
    cycle_name: str
    deadline_words: str
    countdown: str
    items: list[str]


def todo(rt: Runtime, actor: Actor) -> Todo | None:
    """The open cycle's deadline and the few things this person should do next (None: no cycle)."""
    wb = rt.workbook()
    now = rt.clock.now()
    cycle = tasks.registration_round(wb, now)
    if cycle is None:
        return None
    found = tasks.registration_tasks(rt, actor, cycle) + tasks.report_tasks(rt, actor, cycle)
    return Todo(
        cycle.name,
        deadlines.cutoff_words(cycle.register_cutoff),
        deadlines.countdown_words(now, cycle.register_cutoff),
        [t.words for t in found],
    )


@dataclass(frozen=True)
class YearEnd:
    cycle_name: str
    deadline_words: str
    items: list[str]


def year_end(rt: Runtime, actor: Actor) -> YearEnd | None:
    """The cycle being assessed now (its year has begun): what is left to assess and recognise."""
    cycle = tasks.assessment_round(rt.workbook(), rt.clock.now())
    if cycle is None:
        return None
    found = tasks.assessment_tasks(rt, actor, cycle)
    return YearEnd(
        cycle.name,
        deadlines.cutoff_words(assessment_cutoff(cycle)),
        [t.words for t in found],
    )


def next_task(rt: Runtime, actor: Actor) -> str | None:
    """The sentence naming this person's next task and its year (None: no cycle yet)."""
    found = tasks.next_task(rt, actor)
    return found.words if found else None
