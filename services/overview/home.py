"""Trang chủ: what needs this person's attention: their next task, the cycle open for registration
now, and the cycle being assessed at year end. The lines are the tasks of `services.overview.tasks`,
the same ones the next task (and so every cycle picker) is chosen from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.core.access import Actor
from services.core.runtime import Runtime
from services.core.workbook import Workbook
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
    """The open cycle's deadline and the few things this person should do next (None: no cycle).

    Like the next task: computed once per data version and minute (the countdown is in minutes)
    for everyone with the same role and unit; everyone lands on Trang chủ when they sign in."""
    return rt.per_minute(
        ("home todo", actor.role, actor.unit_id), lambda wb, now: _todo(rt, actor, wb, now)
    )


def _todo(rt: Runtime, actor: Actor, wb: Workbook, now: datetime) -> Todo | None:
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
    """The cycle being assessed now (its year has begun): what is left to assess and recognise;
    shared like `todo`."""
    return rt.per_minute(
        ("home year end", actor.role, actor.unit_id), lambda wb, now: _year_end(rt, actor, wb, now)
    )


def _year_end(rt: Runtime, actor: Actor, wb: Workbook, now: datetime) -> YearEnd | None:
    cycle = tasks.assessment_round(wb, now)
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
