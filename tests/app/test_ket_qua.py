"""Kết quả công nhận screen through AppTest: what each person sees of the demo's year end, the
drill-down to one unit's history, and the empty state of a cycle nobody was assessed in."""

from __future__ import annotations

import io
import json

import pandas as pd
import pyarrow as pa
import pytest

from services import demo
from services.core.access import Role
from services.overview import tasks
from services.year_end import results
from tests.support.app import PEOPLE, choose_cycle, place_of

PAGE = "pages/ket_qua.py"


@pytest.fixture
def shown(open_app, app_runtime):
    """shown(person) -> the screen as that person sees it, on the demo with its year end."""

    def open_(person: str):
        at = open_app(person)
        rt = app_runtime()
        demo.seed_year_end(rt)  # what the app seeds on first start
        at.switch_page(PAGE).run()
        assert not at.exception, [e.value for e in at.exception]
        actor = demo.demo_actors(rt)[PEOPLE[person]]
        if actor.role is not Role.SECRETARY:  # the screen opens on the year of the next task
            assert at.selectbox(key="results-cycle").value == tasks.next_task_cycle(rt, actor)
            choose_cycle(at, "results-cycle", with_results(rt, actor))
        return at

    return open_


def with_results(rt, actor) -> str:
    """The newest year with official results in this person's scope: the year these tests read."""
    return next(
        c.name
        for c in rt.workbook().cycles_newest_first()
        if results.cycle_results(rt, actor, c.id).totals.assessed
    )


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def charts(at) -> list[tuple[dict, dict[str, pd.DataFrame]]]:
    """Every altair chart on the page: its spec and its datasets by name."""
    found = []
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        data = {
            d.name: pa.ipc.open_stream(io.BytesIO(d.data.data)).read_all().to_pandas()
            for d in proto.datasets
        }
        found.append((json.loads(proto.spec), data))
    return found


def text(at) -> str:
    return " ".join(e.value for e in [*at.markdown, *at.info, *at.caption]).replace("\\", "")


def test_province_staff_see_rates_failing_criteria_and_the_trend(shown):
    at = shown("province")
    assert at.selectbox(key="results-cycle").value.name == "Năm 2026"  # newest with results
    figures = metrics(at)
    assert figures["Tỷ lệ công nhận"].endswith("%")
    assert int(figures["Đã đánh giá"]) > 0
    assert any(label.startswith("Tiêu chí chưa đạt nhiều nhất: ") for label in figures)
    by_upper = table(at, "Đoàn cấp trên (lúc đó)")
    assert {
        "Đoàn Khối Cơ quan Mẫu 1",
        "Đoàn Khối Doanh nghiệp Mẫu 2",
        "Đoàn Thanh niên Công an tỉnh",
    } <= set(by_upper["Đoàn cấp trên (lúc đó)"])
    assert len(charts(at)) >= 4  # rates, contents, criteria, trend
    trend = table(at, "Năm")
    assert list(trend["Năm"]) == ["Năm 2024", "Năm 2025", "Năm 2026", "Năm 2027"]
    check = table(at, "Báo cáo lên tỉnh")
    assert "Đoàn Khối Doanh nghiệp Mẫu 2" in set(check["Đơn vị"])


def test_the_rate_chart_has_one_bar_per_upper_unit_highest_first(shown):
    at = shown("province")
    spec, data = charts(at)[0]
    bars = spec["layer"][0]
    standing = data[bars["data"]["name"]]
    order = bars["encoding"]["y"]["sort"]
    by_upper = table(at, "Đoàn cấp trên (lúc đó)").set_index("Đoàn cấp trên (lúc đó)")
    assert set(order) == set(by_upper.index) == set(standing["upper"])
    green = standing[standing["status"] == "Được công nhận"].set_index("upper")["share"]
    rates = [green.get(upper, 0.0) for upper in order]
    assert rates == sorted(rates, reverse=True)  # the green part is the rate, highest first
    top = by_upper.loc[order[0]]
    assert f"{green[order[0]]:.0%}" == top["Tỷ lệ công nhận"]


def test_the_most_failed_criterion_leads_the_criteria_table(shown):
    at = shown("province")
    worst = next(label for label in metrics(at) if label.startswith("Tiêu chí chưa đạt nhiều"))
    criteria = table(at, "Tiêu chí")
    assert worst.replace("\\", "").endswith(criteria.iloc[0]["Tiêu chí"])  # shown escaped
    failed = criteria["Số đơn vị chưa đạt"].tolist()
    assert failed == sorted(failed, reverse=True)


def test_province_staff_drill_down_to_one_units_history(shown, app_runtime):
    at = shown("province")
    wb = app_runtime().workbook()
    thuan_hung = next(u.id for u in wb.units.values() if u.name == "Đoàn cơ sở Công ty Mẫu 1")
    at.selectbox(key="results-unit").set_value(thuan_hung).run()
    assert not at.exception, [e.value for e in at.exception]
    history = table(at, "Quyết định công nhận")
    # 2024 is its predecessor's year (the unit was formed on 1/7/2025)
    assert list(history["Năm"]) == ["Năm 2027", "Năm 2026", "Năm 2025", "Năm 2024"]
    finished = history.set_index("Năm").loc["Năm 2025"]
    assert finished["Kết quả đánh giá"] == "Đạt"
    assert (
        finished["Đoàn cấp trên (lúc đó)"] == "Đoàn Khối Cơ quan – Doanh nghiệp tỉnh"
    )  # at registration
    assert finished["Quyết định công nhận"].startswith("Số ")
    assert "của Đoàn Khối Doanh nghiệp Mẫu 2" in finished["Quyết định công nhận"]
    assert metrics(at)["Số năm được công nhận"] == "2/4"  # 2024 through its predecessor, 2025


def test_a_cycle_nobody_was_assessed_in_says_so(shown):
    at = shown("province")
    choose_cycle(at, "results-cycle", "Năm 2027")
    assert "Chưa có đơn vị nào được đánh giá trong năm 2027" in text(at)
    assert metrics(at)["Tỷ lệ công nhận"] == "—"


def test_a_secretary_sees_only_their_own_units_history(shown):
    at = shown("secretary")
    assert not [b for b in at.selectbox if b.key in ("results-cycle", "results-unit")]
    assert "Đoàn cơ sở Công ty Mẫu 1" in text(at)
    history = table(at, "Quyết định công nhận")
    assert set(history["Đoàn cấp trên (lúc đó)"]) == {
        "Đoàn Khối Doanh nghiệp Mẫu 2",
        "Đoàn Khối Cơ quan – Doanh nghiệp tỉnh",  # its predecessor's upper unit in 2024
    }
    assert len(at.dataframe) == 1
    assert "Đoàn cơ sở Công ty Mẫu 2" not in text(at)


def test_an_upper_officer_sees_only_its_units_and_its_own_check_row(shown):
    at = shown("upper")
    # Its newest year with results is 2025, the merger year: its units registered in October
    # 2024 under the old Khối, which is the upper unit of their time in that year's figures.
    assert at.selectbox(key="results-cycle").value.name == "Năm 2025"
    assert list(table(at, "Đoàn cấp trên (lúc đó)")["Đoàn cấp trên (lúc đó)"]) == [
        "Đoàn Khối Cơ quan – Doanh nghiệp tỉnh"
    ]
    at = choose_cycle(at, "results-cycle", "Năm 2026")  # a year it reported in itself
    assert list(table(at, "Báo cáo lên tỉnh")["Đơn vị"]) == ["Đoàn Khối Doanh nghiệp Mẫu 2"]
    assert set(at.selectbox(key="results-unit").options) == {
        f"Đoàn cơ sở Công ty Mẫu {n} — Đoàn Khối Doanh nghiệp Mẫu 2" for n in range(1, 6)
    }


def test_making_the_reports_pdf_moves_nothing_below_the_panel(shown, monkeypatch):
    """What "Tạo bản PDF" says shows on one run only; the panel keeps it inside its own block, so
    the history box drawn after the panel stays the same box (one drawn at a new place is drawn
    anew in the browser, which can lose a unit just picked in it)."""
    monkeypatch.setenv("TCD_SOFFICE", "/khong-co/soffice")  # says how to install LibreOffice
    at = shown("province")
    at.toggle(key="results-report").set_value(True).run()
    before = place_of(at.selectbox(key="results-unit"), at.main)
    next(b for b in at.button if b.label == "Tạo bản PDF").click().run()
    assert any("LibreOffice" in i.value for i in at.info)
    assert place_of(at.selectbox(key="results-unit"), at.main) == before
