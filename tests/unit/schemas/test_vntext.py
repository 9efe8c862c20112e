"""Vietnamese text: one key for one name, diacritic-blind search, alphabetical order."""

from __future__ import annotations

import unicodedata

import pytest

from schemas.vntext import clean, matches, name_key, search_key, sort_key


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Đoàn xã Thuần Hưng", nfd("Đoàn xã Thuần Hưng")),
        ("Đoàn xã Thuần Hưng", "  đoàn   XÃ thuần\thưng "),
        ("Đoàn xã Hoà Phong", "Đoàn xã Hòa Phong"),
        ("Đoàn xã Hoà Phong", "đoàn xã  hòa phong"),
        ("Đoàn xã Thuỵ Lôi", "Đoàn xã Thụy Lôi"),
        ("Thuỷ", "Thủy"),
        ("Khoá", nfd("khóa")),
        ("Đoàn phường Nhân Hoà", nfd("ĐOÀN PHƯỜNG NHÂN HÒA")),
    ],
)
def test_two_spellings_of_one_name_have_the_same_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Đoàn xã Hồng Tiến", "Đoàn xã Hồng Tiền"),  # a different tone is a different name
        ("Đoàn xã Minh Tân", "Đoàn xã Minh Tấn"),
        ("Đoàn xã Đức Hợp", "Đoàn xã Duc Hop"),
        ("Đoàn xã An Viên", "Đoàn xã Ân Viên"),
    ],
)
def test_names_that_differ_in_a_letter_or_tone_have_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_clean_text_is_nfc_with_single_spaces():
    assert clean(nfd("  Đoàn  xã\n Thuần Hưng ")) == "Đoàn xã Thuần Hưng"
    assert unicodedata.is_normalized("NFC", clean(nfd("Thuần Hưng")))


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("doan xa thuan hung", "Đoàn xã Thuần Hưng"),
        ("thuan hung", "Đoàn xã Thuần Hưng"),
        ("hung thuan", "Đoàn xã Thuần Hưng"),  # every word, in any order
        ("Đoàn", "Đoàn xã Hồng Tiến"),
        ("duc hop", "Đoàn xã Đức Hợp"),
        ("hoa phong", "Đoàn xã Hoà Phong"),
        ("thuy loi", "Đoàn xã Thụy Lôi"),
        ("THUẦN", nfd("Đoàn xã Thuần Hưng")),
        ("mau 1", "Đoàn trường THPT Mẫu 1"),
        ("", "Đoàn xã Thuần Hưng"),
    ],
)
def test_search_folds_diacritics_and_d_with_stroke(query, name):
    assert matches(query, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("thuan hung", "Đoàn xã Hồng Tiến"),
        ("doan xa vuong", "Đoàn thị trấn Vương"),
        ("hung yen", "Huyện đoàn Khoái Châu"),
    ],
)
def test_search_does_not_match_a_name_missing_a_word(query, name):
    assert not matches(query, name)


def test_the_search_key_has_no_diacritics_and_no_d_with_stroke():
    assert search_key("Đoàn xã Thuần Hưng") == "doan xa thuan hung"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("a", "ă"),
        ("ă", "â"),
        ("an", "ă"),  # every a-word before any ă-word, whatever follows
        ("â", "b"),
        ("d", "đ"),
        ("dz", "đa"),
        ("e", "ê"),
        ("o", "ô"),
        ("ô", "ơ"),
        ("u", "ư"),
        ("uz", "ưa"),
        ("Đoàn xã Đức Hợp", "Đoàn xã Ê Mẫu"),
        ("Đoàn xã Ụ", "Đoàn xã Ưa"),  # the tone of u does not beat the letter ư
        ("Ân Thi", "Bảo Khê"),
        ("a", "à"),  # tones only break ties: ngang, huyền, hỏi, ngã, sắc, nặng
        ("à", "ả"),
        ("ả", "ã"),
        ("ã", "á"),
        ("á", "ạ"),
        ("ma", "mà"),
        ("mà", "mai"),  # letters first: "mà" < "mai" although ngang < huyền
        ("Minh Tân", "Minh Tấn"),
        ("Hồng Tiến", "Hùng Cường"),
    ],
)
def test_vietnamese_alphabetical_order(first, second):
    assert sort_key(first) < sort_key(second)


def test_sorting_a_list_of_unit_names():
    names = [
        "Đoàn xã Ưng Mẫu",
        "Đoàn xã Ân Thi",
        "Đoàn xã Đức Hợp",
        "Đoàn xã Dị Sử",
        "Đoàn xã An Viên",
        "Đoàn xã Ấp Mẫu",
        "Đoàn xã Ăn Mẫu",
        "Đoàn xã Uy Mẫu",
    ]
    assert sorted(names, key=sort_key) == [
        "Đoàn xã An Viên",
        "Đoàn xã Ăn Mẫu",
        "Đoàn xã Ân Thi",
        "Đoàn xã Ấp Mẫu",
        "Đoàn xã Dị Sử",
        "Đoàn xã Đức Hợp",
        "Đoàn xã Uy Mẫu",
        "Đoàn xã Ưng Mẫu",
    ]


def test_the_sort_order_ignores_case_spacing_and_normal_form():
    assert sort_key("Đoàn xã Thuần Hưng") == sort_key(nfd(" đoàn  XÃ thuần hưng"))
