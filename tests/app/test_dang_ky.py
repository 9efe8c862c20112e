"""Đăng ký screen through AppTest."""

from datetime import date


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
