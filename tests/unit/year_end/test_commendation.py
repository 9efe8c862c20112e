"""Tuyên dương: terms, the mid-term and end-of-term moments, candidates recognised in every cycle
so far (a missed year drops a unit; a unit that moved keeps its record), and the .xlsx."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from services.core.access import Actor, Role
from services.core.errors import AccessDenied, InvalidInput
from services.year_end import commendation
from services.year_end.commendation import Moment, Term, TermsFileError
from tests.support.province import Province

TERM = Term("Nhiệm kỳ 2023–2027", 2023, 2027)


@pytest.fixture
def tree(empty_rt) -> Province:
    """2023–2026: a1 recognised every year; a2 failed in 2024; b1 recognised under A in 2023 and
    2024, then moved to B and recognised by B in 2025 but not in 2026."""
    built = Province(empty_rt)
    for year in (2023, 2024, 2025, 2026):
        built.cycle(year)
    built.move("b1", "A")  # b1 belonged to A until the restructuring
    for year in (2023, 2024):
        for key in ("a1", "a2", "b1"):
            built.register(year, key)
            built.assess(year, key, passed=not (key == "a2" and year == 2024))
        built.recognise(year, "A", ["a1", "b1"] + (["a2"] if year == 2023 else []), f"{year}-A")
    built.move("b1", "B")
    for key in ("a1", "a2", "b1"):
        built.register(2025, key)
        built.assess(2025, key)
    built.recognise(2025, "A", ["a1", "a2"], "2025-A")
    built.recognise(2025, "B", ["b1"], "2025-B")
    built.register(2026, "a1")
    built.assess(2026, "a1")
    built.recognise(2026, "A", ["a1"], "2026-A")
    return built


def names(found: commendation.Commendation) -> list[str]:
    return [c.unit.name for c in found.candidates]


def test_mid_term_candidates_were_recognised_in_every_cycle_up_to_the_middle_year(tree):
    found = commendation.candidates(tree.rt, tree.actor("P"), TERM, Moment.MID)
    assert [c.year for c in found.cycles] == [2023, 2024, 2025]
    assert names(found) == ["Đoàn xã Mẫu A1", "Đoàn xã Mẫu B1"]


def test_a_unit_that_missed_a_year_is_not_a_candidate(tree):
    found = commendation.candidates(tree.rt, tree.actor("P"), TERM, Moment.MID)
    assert "Đoàn xã Mẫu A2" not in names(found)  # recognised 2023 and 2025, failed 2024


def test_a_unit_that_moved_keeps_its_record_with_the_upper_unit_of_each_year(tree):
    found = commendation.candidates(tree.rt, tree.actor("P"), TERM, Moment.MID)
    b1 = next(c for c in found.candidates if c.unit.name == "Đoàn xã Mẫu B1")
    assert b1.current_upper == "Huyện đoàn Mẫu B"
    assert [(h.year, h.upper_name, h.decision_number, h.issuer_name) for h in b1.history] == [
        (2023, "Huyện đoàn Mẫu A", "2023-A", "Huyện đoàn Mẫu A"),
        (2024, "Huyện đoàn Mẫu A", "2024-A", "Huyện đoàn Mẫu A"),
        (2025, "Huyện đoàn Mẫu B", "2025-B", "Huyện đoàn Mẫu B"),
    ]
    assert {(h.registration, h.result) for h in b1.history} == {("Đúng hạn", "Đạt")}
    assert b1.history[2].decision_signed_on == date(2025, 12, 15)


def test_the_end_of_term_counts_every_cycle_of_the_term_so_far(tree):
    found = commendation.candidates(tree.rt, tree.actor("P"), TERM, Moment.END)
    assert [c.year for c in found.cycles] == [2023, 2024, 2025, 2026]
    assert names(found) == ["Đoàn xã Mẫu A1"]  # B1 was not recognised in 2026


def test_a_cycle_with_no_decision_yet_is_named_as_the_reason_nobody_qualifies(tree):
    tree.cycle(2027)  # open: nobody assessed or recognised yet
    found = commendation.candidates(tree.rt, tree.actor("P"), TERM, Moment.END)
    assert found.candidates == []
    assert [c.year for c in found.undecided] == [2027]
    mid = commendation.candidates(tree.rt, tree.actor("P"), TERM, Moment.MID)
    assert mid.undecided == ()


def test_a_term_without_cycles_has_no_candidates(tree):
    earlier = Term("Nhiệm kỳ 2018–2022", 2018, 2022)
    found = commendation.candidates(tree.rt, tree.actor("P"), earlier, Moment.END)
    assert (found.cycles, found.candidates) == ((), [])


def test_an_upper_officer_sees_only_candidates_in_its_subtree(tree):
    found = commendation.candidates(tree.rt, tree.actor("B"), TERM, Moment.MID)
    assert names(found) == ["Đoàn xã Mẫu B1"]


def test_the_candidate_list_downloads_as_xlsx_with_text_cells(tree):
    data = commendation.candidates_xlsx(tree.rt, tree.actor("P"), TERM, Moment.MID)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Đề nghị tuyên dương", "Lịch sử từng năm", "Thông tin"]
    listing = list(book["Đề nghị tuyên dương"].iter_rows(min_row=2))
    assert [(r[0].value, r[1].value) for r in listing] == [
        (1, "Đoàn xã Mẫu A1"),
        (2, "Đoàn xã Mẫu B1"),
    ]
    assert listing[1][4].value.startswith("2023: QĐ số 2023-A ngày 15/12/2023")
    assert all(r[1].data_type == "s" and r[4].data_type == "s" for r in listing)
    history = list(book["Lịch sử từng năm"].iter_rows(min_row=2, values_only=True))
    assert len(history) == 6
    assert history[5][1:7] == (
        "Đoàn xã Mẫu B1",
        2025,
        "Huyện đoàn Mẫu B",
        "Đúng hạn",
        "Đạt",
        "2025-B",
    )


# ---- terms ------------------------------------------------------------------------------------


def test_default_terms_are_the_criteria_sets_periods_and_the_merged_provinces_term(empty_rt):
    terms = commendation.terms(empty_rt)
    assert [(t.name, t.start, t.end, t.middle) for t in terms] == [
        ("Nhiệm kỳ 2018–2022", 2018, 2022, 2020),
        ("Nhiệm kỳ 2023–2027", 2023, 2027, 2025),
        ("Nhiệm kỳ 2025–2030 (tỉnh Hưng Yên sau hợp nhất)", 2025, 2030, 2027),
    ]
    # NOW is in 2026: of the two terms covering it, the merged province's (the later one)
    assert commendation.current_term(empty_rt, terms).start == 2025


def test_a_terms_file_replaces_the_default_terms(empty_rt, tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text(
        "terms:\n  - {name: Nhiệm kỳ 2022–2027, from: 2022, to: 2027}\n"
        "  - {name: Nhiệm kỳ 2017–2021, from: 2017, to: 2021}\n",
        encoding="utf-8",
    )
    terms = commendation.load_terms(empty_rt.criteria, path)
    assert [(t.start, t.end, t.middle) for t in terms] == [(2017, 2021, 2019), (2022, 2027, 2024)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "terms:\n  - {name: A, from: 2018, to: 2022}\n  - {name: B, from: 2022, to: 2027}\n",
            "chồng lên nhau",
        ),
        ("terms:\n  - {name: A, from: 2022}\n", "mỗi nhiệm kỳ cần có name, from, to"),
        ("terms:\n  - {name: A, from: 2027, to: 2023}\n", "không hợp lệ"),
        ("terms: [", "Không đọc được"),
    ],
)
def test_a_broken_terms_file_is_refused_with_the_reason(empty_rt, tmp_path, text, reason):
    path = tmp_path / "terms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TermsFileError, match=reason):
        commendation.load_terms(empty_rt.criteria, path)


# ---- terms kept in the store ------------------------------------------------------------------


def test_province_staff_keep_terms_in_the_store_with_their_mid_term(empty_rt):
    from services.year_end import terms as term_store

    staff = Actor("tinhdoan@mau.example", "Cán bộ", Role.PROVINCE, "DV-0001")
    found = term_store.save_term(
        empty_rt, staff, commendation.Term("Nhiệm kỳ 2025–2030 (sửa)", 2025, 2030, 2028), "t1"
    )
    by_name = {t.name: t for t in found}
    assert by_name["Nhiệm kỳ 2025–2030 (sửa)"].middle == 2028
    assert "Nhiệm kỳ 2018–2022" in by_name  # the terms in force until then are kept
    assert len(empty_rt.workbook().terms) == len(found)


def test_a_term_ending_before_it_starts_is_refused_by_its_label(empty_rt):
    from services.year_end import terms as term_store

    staff = Actor("tinhdoan@mau.example", "Cán bộ", Role.PROVINCE, "DV-0001")
    with pytest.raises(InvalidInput, match="Đến năm"):
        term_store.save_term(empty_rt, staff, commendation.Term("X", 2030, 2025), "t2")
    assert not empty_rt.workbook().terms


def test_only_province_staff_edit_terms(empty_rt):
    from services.year_end import terms as term_store

    officer = Actor("canbo@mau.example", "Cán bộ", Role.UPPER, "DV-0002")
    with pytest.raises(AccessDenied):
        term_store.save_term(empty_rt, officer, commendation.Term("X", 2025, 2030), "t3")
