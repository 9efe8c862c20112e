"""Đăng ký through AppTest: each criterion with its source, where the unit stands on it, its
roadmap, and the signed plan's link; the upper unit reads them when reviewing."""

from datetime import date

from services.core.access import Role
from services.demo.province import demo_actors
from services.registration import plans

PAGE = "pages/dang_ky.py"
CYCLE = "CK-2027"  # the demo's open round, on 3cd-2023-2027@2
SECRETARY_UNIT = "Đoàn cơ sở Công ty Mẫu 1"
LINK = "https://drive.google.com/file/d/1AbC/view"
ROADMAP_23 = "Lộ trình thực hiện tiêu chí 2.3"


def shown(at) -> str:
    """Markdown and captions as the person reads them (escapes and bold marks removed)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return " ".join(parts).replace("\\", "").replace("**", "")


def errors(at) -> str:
    return " ".join(e.value for e in at.error).replace("\\", "")


def widget(widgets, label: str):
    return next(w for w in widgets if w.label == label)


def fill_plan(at, link: str = LINK):
    at.text_input[0].input("01-KH/ĐTN")
    at.date_input[0].set_value(date(2026, 11, 20))
    widget(at.text_input, "Đường dẫn kế hoạch đã ký").input(link)
    for area in at.text_area:
        area.input("Mục tiêu cụ thể")
    widget(at.selectbox, "Tình hình tiêu chí 1.1").set_value("Đã đạt")
    widget(at.selectbox, "Tình hình tiêu chí 2.3").set_value("Chưa đạt")


def send(at):
    return widget(at.button, "Gửi đăng ký").click().run()


def stored_registration(rt):
    unit = next(u for u in rt.workbook().units.values() if u.name == SECRETARY_UNIT)
    return rt.workbook().registration(CYCLE, unit.id)


def test_the_form_shows_each_criterions_source_and_the_provinces_own_choice(open_app):
    at = open_app("secretary", PAGE)
    text = shown(at)
    assert "Tiêu chí 2.1. Có kế hoạch xây dựng Đoàn cơ sở" in text
    assert "Nguồn: Kế hoạch số 61-KH/TĐTN-TCKT ngày 03/7/2018 của Ban Thường vụ Tỉnh đoàn" in text
    assert "Nguồn: Hướng dẫn số 16-HD/TĐTN-TCKT năm 2018 của Tỉnh đoàn Khánh Hòa" in text
    assert (
        "Nguồn: Tỉnh đoàn tự chọn thêm, không có trong hướng dẫn (không bắt buộc)" in text
    )  # 3.3, the yearly dialogue
    assert "hoạt động chung của địa phương (không bắt buộc)" in text  # 3.4, an example
    assert "(ít nhất 1 lần/năm) (không bắt buộc)" not in text  # 3.3: its source says so
    assert len([s for s in at.selectbox if s.label.startswith("Tình hình tiêu chí ")]) == 14


def test_a_criterion_not_met_without_roadmap_is_refused_and_nothing_typed_is_lost(open_app, stored):
    at = open_app("secretary", PAGE)
    fill_plan(at)
    send(at)
    assert f"{ROADMAP_23}: bắt buộc phải nhập khi tiêu chí chưa đạt" in errors(at)
    assert not at.success and stored_registration(stored()) is None
    assert widget(at.selectbox, "Tình hình tiêu chí 2.3").value == "Chưa đạt"
    assert widget(at.text_input, "Đường dẫn kế hoạch đã ký").value == LINK
    assert at.text_input[0].value == "01-KH/ĐTN"

    widget(at.text_input, ROADMAP_23).input("Quý I/2027 tổ chức 2 hoạt động")
    send(at)
    assert not at.error and "Mã tiếp nhận" in " ".join(s.value for s in at.success)
    reg = stored_registration(stored())
    assert reg.plan_link == LINK
    assert {k: (v.standing.value, v.roadmap) for k, v in reg.standings.items()} == {
        "1.1": ("Đã đạt", ""),
        "2.3": ("Chưa đạt", "Quý I/2027 tổ chức 2 hoạt động"),
    }


def test_a_link_that_is_not_a_web_address_is_refused_in_vietnamese(open_app, stored):
    at = open_app("secretary", PAGE)
    fill_plan(at, link="javascript:alert(document.cookie)")
    widget(at.text_input, ROADMAP_23).input("Quý I/2027")
    send(at)
    assert "Đường dẫn kế hoạch đã ký: phải là một địa chỉ bắt đầu bằng http:// hoặc https://" in (
        errors(at)
    )
    assert widget(at.text_input, "Đường dẫn kế hoạch đã ký").value == (
        "javascript:alert(document.cookie)"
    )
    assert stored_registration(stored()) is None


def test_the_upper_unit_reads_the_statements_and_the_link_when_reviewing(open_app, app_runtime):
    at = open_app("upper", PAGE)
    rt = app_runtime()
    secretary = next(a for a in demo_actors(rt) if a.role is Role.SECRETARY)
    data = {
        "plan_number": "03-KH/ĐTN",
        "plan_date": "20/11/2026",
        "targets": {"ND1": "a", "ND2": "b", "ND3": "c"},
        "plan_link": LINK,
        "standings": {"2.4": {"standing": "Đang thực hiện", "roadmap": "Tháng 5/2027 hoàn thành"}},
    }
    plans.register_plan(rt, secretary, CYCLE, secretary.unit_id, data, "sent-once")
    at.run()
    review = at.selectbox(key="review-unit")
    review.select_index(review.options.index(SECRETARY_UNIT)).run()
    assert [b.url for b in at.get("link_button")] == [LINK]
    table = at.dataframe[-1].value
    row = table[table["Tiêu chí"].str.startswith("2.4.")].iloc[0]
    assert (row["Tình hình"], row["Lộ trình"]) == ("Đang thực hiện", "Tháng 5/2027 hoàn thành")
    assert row["Nguồn"].startswith("Kế hoạch năm 2018 của Huyện đoàn Tam Nông")
    unstated = table[table["Tiêu chí"].str.startswith("1.1.")].iloc[0]
    assert unstated["Tình hình"] == "(chưa nêu)"


def test_the_demo_plan_waiting_for_review_shows_its_statements(open_app):
    at = open_app("upper", PAGE)
    review = at.selectbox(key="review-unit")
    review.select_index(review.options.index("Đoàn cơ sở Công ty Mẫu 2")).run()
    assert [b.url for b in at.get("link_button")] == ["https://example.com/ke-hoach-3cd-mau.pdf"]
    table = at.dataframe[-1].value
    row = table[table["Tiêu chí"].str.startswith("3.3.")].iloc[0]
    assert row["Tình hình"] == "Chưa đạt" and row["Lộ trình"].startswith("Tháng 3/2027")
    assert row["Nguồn"].startswith("Tỉnh đoàn tự chọn thêm")
