"""The load benchmark divides the server's CPU fairly between variants that refresh differently:
a baseline's fragment tick is a script run, the app's version check is not."""

from __future__ import annotations

from benchmarks._wire import Run
from benchmarks.load import cpu_per_run_and_tick


def runs(pages: int = 0, fragments: int = 0, checks: int = 0, failed: int = 0) -> list[Run]:
    made = [Run("page", 0.1, 100, True) for _ in range(pages)]
    made += [Run("fragment", 0.01, 10, True) for _ in range(fragments)]
    made += [Run("check", 0.001, 50, True) for _ in range(checks)]
    return made + [Run("page", 30.0, 0, False) for _ in range(failed)]


def test_a_version_check_is_a_tick_but_not_a_script_run():
    figures = cpu_per_run_and_tick(runs(pages=8, checks=2), cpu_s=0.2)
    assert figures == {"server_cpu_ms_per_run": 25.0, "server_cpu_ms_per_tick": 100.0}


def test_a_fragment_run_is_both_a_script_run_and_a_tick():
    figures = cpu_per_run_and_tick(runs(pages=8, fragments=2), cpu_s=0.2)
    assert figures == {"server_cpu_ms_per_run": 20.0, "server_cpu_ms_per_tick": 100.0}


def test_failed_runs_do_not_count_and_an_idle_phase_of_checks_costs_per_tick():
    figures = cpu_per_run_and_tick(runs(checks=40, failed=3), cpu_s=0.1)
    assert figures["server_cpu_ms_per_tick"] == 2.5
    assert figures["server_cpu_ms_per_run"] == 100.0  # no script run at all: the whole CPU
