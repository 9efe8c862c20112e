"""The load benchmark's baselines draw the same Tổng hợp figures as the app, from the same store."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks import _province
from benchmarks.baselines import loaders, plain_board
from schemas.criteria import load_catalogue
from services.core.access import Role
from services.core.clock import FixedClock
from services.core.runtime import Runtime
from services.demo.province import demo_actors
from services.registration import dashboard
from services.registration import plans as registrations
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.world import PLAN

FRAMES = ("by_group", "timeline", "not_registered", "rollups")


def baseline_boards(path, actor, cycle_id):
    """The board as the st.cache_data baseline and as the SQL baseline compute it."""
    tabs = {t: loaders.frame_rows(f) for t, f in loaders.read_tabs(path).items()}
    with loaders.connect(path) as conn:
        queried = loaders.query_screen(conn, cycle_id)
    boards = {}
    for name, rows in (("cache_data", tabs), ("sql", queried)):
        cycle = next(c for c in plain_board.cycles_newest_first(rows["cycles"]) if c.id == cycle_id)
        boards[name] = plain_board.board(
            rows["units"], cycle, rows["registrations"], rows["upper_reports"], actor
        )
    return boards


def assert_same_board(ours, theirs) -> None:
    assert theirs.cycle == ours.cycle
    assert (theirs.cutoff_words, theirs.report_cutoff_words) == (
        ours.cutoff_words,
        ours.report_cutoff_words,
    )
    assert theirs.totals == ours.totals
    for name in FRAMES:
        pd.testing.assert_frame_equal(
            getattr(theirs, name).reset_index(drop=True),
            getattr(ours, name).reset_index(drop=True),
            check_dtype=False,
            obj=name,
        )


@pytest.fixture
def bench(tmp_path):
    """The province the load benchmark runs on, small. Every unit in it exists in every cycle:
    the baselines, like a plain app, do not model units that change over time (the 2025
    restructuring), and the benchmark province they are measured on has none."""
    path = tmp_path / "3cd.sqlite"
    _province.build_province(path, units=240, uppers=6, blocs=2, under_root=3)
    store = CachedStore(SqlStore.at_path(path))
    runtime = Runtime(store, FixedClock(_province.NOW), load_catalogue())
    return runtime, {actor.role: actor for actor in demo_actors(runtime)}


@pytest.mark.parametrize("role", list(Role))
def test_each_baseline_draws_the_apps_figures_for_every_cycle(bench, tmp_path, role):
    rt, people = bench
    path = tmp_path / "3cd.sqlite"
    wb = rt.workbook()
    assert len(wb.cycles) >= 2
    for cycle_id in wb.cycles:
        ours = dashboard.registration_board(rt, people[role], cycle_id)
        for theirs in baseline_boards(path, people[role], cycle_id).values():
            assert_same_board(ours, theirs)


def test_the_baselines_follow_a_new_registration_like_the_app(bench, tmp_path):
    rt, people = bench
    secretary = people[Role.SECRETARY]
    cycle = max(rt.workbook().cycles.values(), key=lambda c: c.year)
    plan = {**PLAN, "plan_date": "01/09/2026"}  # before the benchmark province's today
    with loaders.connect(tmp_path / "3cd.sqlite") as conn:
        before = loaders.change_token(conn)
    registrations.register_plan(rt, secretary, cycle.id, secretary.unit_id, plan, "k-1")
    with loaders.connect(tmp_path / "3cd.sqlite") as conn:
        assert loaders.change_token(conn) > before  # what their auto-refresh polls
    ours = dashboard.registration_board(rt, people[Role.PROVINCE], cycle.id)
    for theirs in baseline_boards(
        tmp_path / "3cd.sqlite", people[Role.PROVINCE], cycle.id
    ).values():
        assert_same_board(ours, theirs)


def test_the_baseline_picker_offers_the_demo_people_as_the_app_does(rt, tmp_path):
    from services import demo
    from services.core.settings import Settings
    from services.people import users

    rt.settings = Settings(demo=True, sqlite_path=str(tmp_path / "3cd.sqlite"))
    rt.demo_mark = demo.is_demo_store  # as the composition root gives it
    tabs = {t: loaders.frame_rows(f) for t, f in loaders.read_tabs(tmp_path / "3cd.sqlite").items()}
    assert plain_board.demo_people(tabs["users"]) == users.demo_choices(rt)
