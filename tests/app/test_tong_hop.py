"""Tổng hợp screen through AppTest: what each person sees, and that it follows the store."""

from __future__ import annotations

import io
import json

import pandas as pd
import pyarrow as pa

from services import demo
from services.core.access import Role
from services.presentation.colours import REGISTRATION
from services.registration import plans
from services.registration.status import REPORTED_LATE, REPORTED_ON_TIME, STATUSES
from tests.support.builders import OFFICER_BLOC
from tests.support.world import PLAN

PAGE = "pages/tong_hop.py"


def metrics(at) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric}


def follow_up_table(at):
    return next(d.value for d in at.dataframe if "Cán bộ theo dõi" in d.value.columns)


def chart(at, index: int) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The spec and the datasets (by name) of the index-th altair chart on the page."""
    proto = at.get("vega_lite_chart")[index].proto
    data = {
        d.name: pa.ipc.open_stream(io.BytesIO(d.data.data)).read_all().to_pandas()
        for d in proto.datasets
    }
    return json.loads(proto.spec), data


def test_the_upper_officer_sees_only_the_five_units_of_its_doan_khoi(open_app):
    at = open_app("upper", PAGE)
    counts = metrics(at)
    assert sum(counts.values()) == 5
    assert counts["Đúng hạn"] == 3 and counts["Chưa đăng ký"] == 2
    assert list(follow_up_table(at)["Đơn vị"]) == [
        "Đoàn cơ sở Công ty Mẫu 1",
        "Đoàn cơ sở Công ty Mẫu 5",
    ]
    spec, data = chart(at, 0)
    bars = data[spec["data"]["name"]]
    # Each unit below is one grassroots unit: a bar each would be alike full bars, so the
    # chart is one bar of all five, stacked by their status.
    assert set(bars["group"]) == {"Các đoàn cơ sở trực thuộc"}
    assert dict(zip(bars["status"], bars["units"], strict=True)) == {
        "Đúng hạn": 3,
        "Chưa đăng ký": 2,
    }


def test_province_staff_get_a_bar_per_upper_unit_and_one_for_the_units_directly_below(
    open_app, app_runtime
):
    at = open_app("province", PAGE)
    spec, data = chart(at, 0)
    bars = data[spec["data"]["name"]]
    per_bar = bars.groupby("group")["units"].sum()
    # The communes, wards and schools directly under the province are one bar, stacked by
    # status, not dozens of alike full bars of one unit each.
    assert (per_bar > 1).all(), per_bar[per_bar <= 1]
    assert "Các đoàn cơ sở trực thuộc" in per_bar
    assert per_bar.sum() == sum(metrics(at).values())
    wb = app_runtime().workbook()
    uppers = {wb.units[u].name for u in wb.units if wb.units[u].parent_id in wb.root_ids()}
    assert set(per_bar.index) - {"Các đoàn cơ sở trực thuộc"} <= uppers


def test_a_viewer_of_a_doan_khoi_sees_only_its_two_units(open_app):
    at = open_app("viewer", PAGE)
    assert sum(metrics(at).values()) == 2
    assert set(follow_up_table(at)["Đơn vị cấp trên"]) == {"Đoàn Khối Cơ quan Mẫu 1"}


def test_a_secretary_sees_only_their_own_unit(open_app):
    at = open_app("secretary", PAGE)
    assert metrics(at)["Chưa đăng ký"] == 1 and sum(metrics(at).values()) == 1


def test_the_cut_off_is_shown_in_words_with_the_countdown(open_app):
    at = open_app("province", PAGE)
    text = " ".join(m.value for m in at.markdown)
    assert "Hạn đăng ký: hết ngày 15/12/2026" in text
    assert "Còn 20 ngày 14 giờ" in text


def test_a_registration_stored_through_the_service_shows_on_the_next_run(open_app, app_runtime):
    at = open_app("province", PAGE)
    before = metrics(at)
    assert "Đoàn cơ sở Công ty Mẫu 1" in set(follow_up_table(at)["Đơn vị"])

    rt = app_runtime()
    secretary = next(a for a in demo.demo_actors(rt) if a.role is Role.SECRETARY)
    plans.register_plan(rt, secretary, "CK-2027", secretary.unit_id, PLAN, "e2e-key-1")
    at.run()

    after = metrics(at)
    assert after["Đúng hạn"] == before["Đúng hạn"] + 1
    assert after["Chưa đăng ký"] == before["Chưa đăng ký"] - 1
    assert "Đoàn cơ sở Công ty Mẫu 1" not in set(follow_up_table(at)["Đơn vị"])


def test_the_follow_up_table_filters_by_status(open_app):
    at = open_app("province", PAGE)
    everyone = follow_up_table(at)
    status_filter = next(m for m in at.multiselect if m.label == "Lọc theo tình trạng")
    status_filter.select("Trả lại để sửa").run()
    shown = follow_up_table(at)
    assert 0 < len(shown) < len(everyone)
    assert set(shown["Tình trạng"]) == {"Trả lại để sửa"}


def test_the_status_chart_uses_the_status_colours_in_order_with_vietnamese_titles(open_app):
    at = open_app("province", PAGE)
    spec, _ = chart(at, 0)
    colour = spec["encoding"]["color"]["scale"]
    assert colour["domain"] == list(STATUSES) and colour["range"] == [
        REGISTRATION[s] for s in STATUSES
    ]
    assert spec["encoding"]["x"]["title"] == "Số đoàn cơ sở"
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == [
        "Đơn vị",
        "Tình trạng",
        "Số đoàn cơ sở",
    ]


def test_the_timeline_marks_the_cut_off_with_a_labelled_rule(open_app):
    at = open_app("province", PAGE)
    spec, data = chart(at, 1)
    area, rule, label = spec["layer"]
    assert (area["mark"]["type"], rule["mark"]["type"], label["mark"]["type"]) == (
        "area",
        "rule",
        "text",
    )
    marker = data[rule["data"]["name"]]
    assert marker["label"].iloc[0] == "Hạn đăng ký: hết ngày 15/12/2026"
    assert pd.Timestamp(marker["day"].iloc[0]) == pd.Timestamp(
        "2026-12-16 00:00"
    )  # first late instant
    counts = metrics(at)
    received = counts["Đúng hạn"] + counts["Trễ hạn"] + counts["Trả lại để sửa"]
    timeline = data[area["data"]["name"]]
    assert timeline.groupby("status")["registrations"].max().sum() == received


def test_a_past_cycle_shows_every_upper_units_sent_rollup(open_app):
    at = open_app("province", PAGE)
    at.selectbox(key="cycle").select_index(1).run()
    rollups = next(d.value for d in at.dataframe if "Gửi lúc" in d.value.columns)
    assert len(rollups) == 3  # the 2026 round: Công an tỉnh and the two Đoàn Khối
    assert set(rollups["Tình trạng"]) <= {REPORTED_ON_TIME, REPORTED_LATE}


def test_the_province_keeps_one_bar_per_upper_unit(open_app):
    spec, data = chart(open_app("province", PAGE), 0)
    bars = data[spec["data"]["name"]]
    assert OFFICER_BLOC in set(bars["group"]) and len(set(bars["group"])) > 1
