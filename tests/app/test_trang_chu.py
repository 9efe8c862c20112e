"""Trang chủ: the open cycle's deadline in words and what this person should do next."""

from __future__ import annotations

from services.core.access import Role
from services.demo.province import demo_actors
from services.registration import plans
from services.year_end import assessments
from tests.support.world import PLAN

PAGE = "pages/trang_chu.py"


def items(at) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown]


def test_a_secretary_whose_unit_has_not_registered_is_told_to_register(open_app):
    at = open_app("secretary", PAGE)
    assert [m.value for m in at.metric][:2] == ["hết ngày 15/12/2026", "Còn 20 ngày 14 giờ"]
    assert any("chưa đăng ký kế hoạch" in item for item in items(at))


def test_after_registering_the_secretary_sees_the_registration_state(open_app, app_runtime):
    at = open_app("secretary", PAGE)
    rt = app_runtime()
    secretary = next(a for a in demo_actors(rt) if a.role is Role.SECRETARY)
    plans.register_plan(rt, secretary, "CK-2027", secretary.unit_id, PLAN, "home-1")
    at.run()
    assert any("Đăng ký đã gửi, trạng thái: Đã gửi" in item for item in items(at))
    assert not any("chưa đăng ký kế hoạch" in item for item in items(at))


def test_the_upper_officer_sees_how_many_units_wait_and_how_many_are_missing(open_app):
    at = open_app("upper", PAGE)
    assert items(at)[:2] == ["- 2 / 5 đoàn cơ sở chưa đăng ký.", "- 2 đăng ký đang chờ tiếp nhận."]


def test_a_viewer_is_not_told_about_registrations_waiting_for_review(open_app):
    at = open_app("viewer", PAGE)
    assert not any("chờ tiếp nhận" in item for item in items(at))
    assert any("đoàn cơ sở chưa đăng ký" in item for item in items(at))


def test_the_upper_officer_sees_what_is_left_to_assess_and_recognise_this_year(
    open_app, app_runtime
):
    at = open_app("upper", PAGE)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Hạn đánh giá"] == "hết ngày 31/12/2026"
    rt = app_runtime()
    officer = next(a for a in demo_actors(rt) if a.role is Role.UPPER)
    lines = assessments.assessment_lines(rt, officer, "CK-2026")
    registered = [line for line in lines if line.status != assessments.NOT_REGISTERED]
    left = [line for line in registered if line.status == assessments.NOT_ASSESSED]
    assert f"- {len(left)} / {len(registered)} đơn vị đã đăng ký chưa có bản đánh giá đã gửi." in (
        items(at)
    )


def test_a_secretary_sees_the_upper_units_assessment_of_their_unit(open_app):
    at = open_app("secretary", PAGE)
    assert any("Đánh giá của Đoàn cấp trên cho đơn vị: " in item for item in items(at))
