"""Đăng ký screen through AppTest."""

from datetime import date

from schemas.models import RegistrationState


def test_a_secretary_registers_and_gets_a_receipt(open_app):
    at = open_app("secretary", "pages/dang_ky.py")
    at.text_input[0].input("01-KH/ĐTN")
    at.date_input[0].set_value(date(2026, 11, 20))
    for area in at.text_area:
        area.input("Mục tiêu cụ thể")
    at.button[0].click().run()
    assert not at.exception
    receipt = " ".join(s.value for s in at.success)
    assert "Mã tiếp nhận" in receipt and "đúng hạn" in receipt and "Thuần Hưng" in receipt


def test_a_registration_without_targets_is_refused_and_the_input_stays(open_app):
    at = open_app("secretary", "pages/dang_ky.py")
    at.text_input[0].input("01-KH/ĐTN")
    at.date_input[0].set_value(date(2026, 11, 20))
    at.button[0].click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Mục tiêu ND1" in errors and "bắt buộc" in errors
    assert at.text_input[0].value == "01-KH/ĐTN"
    assert not at.success


# ---- the upper unit's side: Đoàn Khối Doanh nghiệp Mẫu 2 reviews its units ------------------------

PAGE = "pages/dang_ky.py"
CYCLE = "CK-2027"  # the open round of the demo
HONG_TIEN, THUAN_HUNG = "Đoàn cơ sở Công ty Mẫu 2", "Đoàn cơ sở Công ty Mẫu 1"


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
    pick(at.selectbox(key="review-unit"), HONG_TIEN).run()
    return at


def test_the_upper_officer_accepts_hong_tiens_registration(open_app, stored):
    at = review_hong_tien(open_app)
    assert registration(stored(), HONG_TIEN).state is RegistrationState.SENT
    next(b for b in at.button if b.label == "Tiếp nhận").click().run()
    assert not at.exception and not at.error
    accepted = registration(stored(), HONG_TIEN)
    assert accepted.state is RegistrationState.ACCEPTED
    assert accepted.reviewed_by.startswith("Cán bộ Đoàn Khối Doanh nghiệp Mẫu 2")


def test_returning_without_a_reason_is_refused(open_app, stored):
    at = review_hong_tien(open_app)
    next(b for b in at.button if b.label == "Trả lại để sửa").click().run()
    assert "Lý do trả lại: bắt buộc" in errors(at)
    kept = registration(stored(), HONG_TIEN)
    assert (kept.state, kept.return_reason) == (RegistrationState.SENT, "")


def test_entering_a_paper_plan_without_the_day_received_is_refused(open_app, stored):
    at = open_app("upper", PAGE)
    pick(at.selectbox(key="behalf-unit"), THUAN_HUNG).run()
    behalf = at.tabs[1]
    behalf.text_input[0].input("07-KH/ĐTN")
    behalf.date_input[0].set_value(
        date(2026, 11, 20)
    )  # the plan's date; the day received is left empty
    for area in behalf.text_area:
        area.input("Mục tiêu cụ thể")
    next(b for b in behalf.button if b.label == "Nhập thay đăng ký").click().run()
    assert "Ngày nhận bản giấy: bắt buộc" in errors(at)
    assert registration(stored(), THUAN_HUNG) is None


def test_the_upper_officer_grants_thuan_hung_an_extension(open_app, stored):
    at = open_app("upper", PAGE)
    extend = at.tabs[2]
    pick(extend.selectbox[0], THUAN_HUNG)
    extend.date_input[0].set_value(date(2026, 12, 31))
    extend.text_input[0].input("Đại hội chi đoàn dời lịch")
    next(b for b in extend.button if b.label == "Cho gia hạn").click().run()
    assert not at.error and "hết ngày 31/12/2026" in at.success[0].value
    rt = stored()
    granted = rt.workbook().extension(CYCLE, unit_id_of(rt, THUAN_HUNG))
    assert granted.cells["cutoff"] == "2027-01-01T00:00:00+07:00"
    assert granted.reason == "Đại hội chi đoàn dời lịch"
