"""Đăng ký screen through AppTest."""

from datetime import date

from schemas.models import RegistrationState
from services.core.access import Role
from services.demo.province import demo_actors
from services.registration import plans
from tests.support.app import place_of
from tests.support.world import NOW


def test_a_secretary_registers_and_gets_a_receipt(open_app):
    at = open_app("secretary", "pages/dang_ky.py")
    at.text_input[0].input("01-KH/ĐTN")
    at.date_input[0].set_value(date(2026, 11, 20))
    for area in at.text_area:
        area.input("Mục tiêu cụ thể")
    at.button[0].click().run()
    assert not at.exception
    receipt = " ".join(s.value for s in at.success)
    assert "Mã tiếp nhận" in receipt and "đúng hạn" in receipt and "Công ty Mẫu 1" in receipt


def test_a_registration_without_targets_is_refused_and_the_input_stays(open_app):
    at = open_app("secretary", "pages/dang_ky.py")
    at.text_input[0].input("01-KH/ĐTN")
    at.date_input[0].set_value(date(2026, 11, 20))
    at.button[0].click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Nội dung 1: bắt buộc phải nhập" in errors.replace("\\", "")
    assert at.text_input[0].value == "01-KH/ĐTN"
    assert not at.success


# ---- the upper unit's side: Đoàn Khối Doanh nghiệp Mẫu 2 reviews its units ------------------------

PAGE = "pages/dang_ky.py"
CYCLE = "CK-2027"  # the open round of the demo
COMPANY_2, COMPANY_1 = "Đoàn cơ sở Công ty Mẫu 2", "Đoàn cơ sở Công ty Mẫu 1"


def unit_id_of(rt, name: str) -> str:
    return next(u.id for u in rt.workbook().units.values() if u.name == name)


def registration(rt, name: str):
    return rt.workbook().registration(CYCLE, unit_id_of(rt, name))


def errors(at) -> str:
    """Every error on screen as the person reads it (markdown escapes removed)."""
    return " ".join(e.value for e in at.error).replace("\\", "")


def pick(selectbox, name: str):
    """Choose a unit in a selectbox whose options are Unit records shown by name."""
    return selectbox.select_index(selectbox.options.index(name))


def review_hong_tien(open_app):
    at = open_app("upper", PAGE)
    pick(at.selectbox(key="review-unit"), COMPANY_2).run()
    return at


def test_the_upper_officer_accepts_hong_tiens_registration(open_app, stored):
    at = review_hong_tien(open_app)
    assert registration(stored(), COMPANY_2).state is RegistrationState.SENT
    next(b for b in at.button if b.label == "Tiếp nhận").click().run()
    assert not at.exception and not at.error
    accepted = registration(stored(), COMPANY_2)
    assert accepted.state is RegistrationState.ACCEPTED
    assert accepted.reviewed_by.startswith("Cán bộ Đoàn Khối Doanh nghiệp Mẫu 2")


def test_returning_without_a_reason_is_refused(open_app, stored):
    at = review_hong_tien(open_app)
    next(b for b in at.button if b.label == "Trả lại để sửa").click().run()
    assert "Lý do trả lại: bắt buộc" in errors(at)
    kept = registration(stored(), COMPANY_2)
    assert (kept.state, kept.return_reason) == (RegistrationState.SENT, "")


def test_entering_a_paper_plan_without_the_day_received_is_refused(open_app, stored):
    at = open_app("upper", PAGE)
    pick(at.selectbox(key="behalf-unit"), COMPANY_1).run()
    behalf = at.tabs[1]
    behalf.text_input[0].input("07-KH/ĐTN")
    behalf.date_input[0].set_value(
        date(2026, 11, 20)
    )  # the plan's date; the day received is left empty
    for area in behalf.text_area:
        area.input("Mục tiêu cụ thể")
    next(b for b in behalf.button if b.label == "Nhập thay đăng ký").click().run()
    assert "Ngày nhận bản giấy: bắt buộc" in errors(at)
    assert registration(stored(), COMPANY_1) is None


def test_the_upper_officer_grants_thuan_hung_an_extension(open_app, stored):
    at = open_app("upper", PAGE)
    extend = at.tabs[2]
    pick(extend.selectbox[0], COMPANY_1)
    extend.date_input[0].set_value(date(2026, 12, 31))
    extend.text_input[0].input("Đại hội chi đoàn dời lịch")
    next(b for b in extend.button if b.label == "Cho gia hạn").click().run()
    assert not at.error and "hết ngày 31/12/2026" in at.success[0].value
    rt = stored()
    granted = rt.workbook().extension(CYCLE, unit_id_of(rt, COMPANY_1))
    assert granted.cells["cutoff"] == "2027-01-01T00:00:00+07:00"
    assert granted.reason == "Đại hội chi đoàn dời lịch"


def send_plan(at, number: str = "01-KH/ĐTN"):
    at.text_input[0].input(number)
    at.date_input[0].set_value(date(2026, 11, 20))
    for area in at.text_area:
        area.input("Mục tiêu cụ thể")
    return next(b for b in at.button if b.label in ("Gửi đăng ký", "Gửi lại đăng ký")).click().run()


def successes(at) -> list[str]:
    return [s.value.replace("\\", "") for s in at.success]


def test_the_receipt_appears_once_and_a_resend_says_it_updated_the_registration(open_app):
    at = send_plan(open_app("secretary", PAGE))
    [receipt] = successes(at)
    assert receipt.startswith("Đã nhận đăng ký của Đoàn cơ sở Công ty Mẫu 1")
    at = send_plan(at, "02-KH/ĐTN")
    [receipt] = successes(at)
    assert receipt.startswith("Đã cập nhật đăng ký đã gửi trước đó của Đoàn cơ sở Công ty Mẫu 1")
    at.run()  # the next visit shows the standing receipt, once
    [receipt] = successes(at)
    assert receipt.startswith("Đã nhận đăng ký của Đoàn cơ sở Công ty Mẫu 1")


def test_accepting_shows_a_confirmation_and_the_secretary_still_reads_the_plan(open_app, stored):
    at = review_hong_tien(open_app)
    next(b for b in at.button if b.label == "Tiếp nhận").click().run()
    assert successes(at) == [f"Đã tiếp nhận kế hoạch của {COMPANY_2}."]
    at.run()
    assert not at.success  # the confirmation belonged to the click
    assert registration(stored(), COMPANY_2).state is RegistrationState.ACCEPTED


def test_returning_shows_a_confirmation_with_the_reason(open_app, stored):
    at = review_hong_tien(open_app)
    next(t for t in at.text_input if t.label == "Lý do trả lại").input("Thiếu lộ trình nội dung 2")
    next(b for b in at.button if b.label == "Trả lại để sửa").click().run()
    assert successes(at) == [
        f"Đã trả lại kế hoạch của {COMPANY_2} để sửa. Lý do: Thiếu lộ trình nội dung 2"
    ]
    assert registration(stored(), COMPANY_2).state is RegistrationState.RETURNED


def test_a_secretary_reads_the_plan_they_sent_after_it_is_accepted(open_app, app_runtime):
    at = send_plan(open_app("secretary", PAGE), "09-KH/ĐTN")
    rt = app_runtime()
    officer = next(a for a in demo_actors(rt) if a.role is Role.UPPER)
    plans.accept(rt, officer, registration(rt, COMPANY_1), "accept-once")
    at.run()
    shown = " ".join(m.value for m in at.markdown).replace("\\", "").replace("**", "")
    assert "Số kế hoạch: 09-KH/ĐTN" in shown and "Ngày kế hoạch: 20/11/2026" in shown
    assert "Nội dung 1. " in shown
    assert [t.value for t in at.text] == ["Mục tiêu cụ thể"] * 3
    assert "Gửi lại đăng ký" not in [b.label for b in at.button]


def fill_paper_plan(open_app, received: date | None):
    at = open_app("upper", PAGE)
    pick(at.selectbox(key="behalf-unit"), COMPANY_1).run()
    behalf = at.tabs[1]
    behalf.text_input[0].input("07-KH/ĐTN")
    behalf.date_input[0].set_value(date(2026, 11, 20))
    for area in behalf.text_area:
        area.input("Mục tiêu cụ thể")
    behalf.date_input[1].set_value(received)
    next(b for b in behalf.button if b.label == "Nhập thay đăng ký").click().run()
    return at


def test_the_paper_plans_received_day_is_offered_only_inside_the_window_up_to_today(open_app):
    """The service refuses a day outside the cycle's registration window or in the future; the
    date picker offers only those days (1/1/2026, the window's first day for the 2027 cycle, to
    today, 25/11/2026 on the tests' clock)."""
    at = open_app("upper", PAGE)
    pick(at.selectbox(key="behalf-unit"), COMPANY_1).run()
    received = at.tabs[1].date_input[1]
    assert (received.min, received.max) == (date(2026, 1, 1), NOW.date())


def test_a_paper_plan_received_in_the_future_cannot_be_picked_nor_stored(open_app, stored):
    """The picker drops a day after its last one (the service's own refusal of a future day is
    tested in tests/unit/registration/test_deadlines.py)."""
    at = fill_paper_plan(open_app, date(2026, 12, 30))
    assert "Ngày nhận bản giấy: bắt buộc" in errors(at)
    assert registration(stored(), COMPANY_1) is None


def test_a_paper_plans_receipt_shows_the_day_the_paper_was_received(open_app, stored):
    at = fill_paper_plan(open_app, date(2026, 11, 21))
    [receipt] = successes(at)
    assert "nhận bản giấy ngày 21/11/2026" in receipt and "gửi lần đầu" not in receipt
    assert registration(stored(), COMPANY_1).received_on == date(2026, 11, 21)


def test_the_tabs_stay_in_place_when_the_paper_plans_receipt_goes(open_app):
    """The receipt is shown on the run after a paper plan is entered, and gone on the next. Drawn
    in a place kept on every run, it moves nothing below it: the tabs are the same tabs, so the
    unit an officer picks right after is kept and reviewed (when the receipt shifted the tabs the
    browser drew them anew, and now and then the new box sent its empty value back: the pick was
    lost and nothing showed under it)."""
    at = fill_paper_plan(open_app, date(2026, 11, 21))
    assert successes(at)
    with_receipt = place_of(at.tabs[0], at.main)
    pick(at.selectbox(key="review-unit"), COMPANY_1).run()
    assert not successes(at)
    assert place_of(at.tabs[0], at.main) == with_receipt
    assert f"**{COMPANY_1}** — Đã gửi" in " ".join(m.value for m in at.markdown)


def test_an_empty_plan_date_is_reported_as_required(open_app):
    at = open_app("secretary", PAGE)
    at.text_input[0].input("01-KH/ĐTN")
    for area in at.text_area:
        area.input("Mục tiêu cụ thể")
    at.button[0].click().run()
    assert "Ngày kế hoạch: bắt buộc phải nhập" in errors(at)
