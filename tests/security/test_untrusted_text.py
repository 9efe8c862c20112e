"""Untrusted text: stored as typed, shown as plain text, exported as text cells, never as formulas.

What the code promises, field by field (asserted below):
- registration targets (Mục tiêu ND1–ND3): byte-exact, only leading/trailing whitespace trimmed;
  NFD stays NFD; at most 5000 characters (longer is refused, nothing stored);
- return reason, extension reason, roll-up note: inner whitespace (newlines too) collapsed to one
  space, otherwise byte-exact (no Unicode normalisation), no length limit;
- unit form fields (name, secretary, …) and plan number: NFC-normalised and whitespace-collapsed on
  purpose (names are compared and searched), at most 200 (100) characters.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import pytest
from openpyxl import load_workbook

from schemas.models import RegistrationState
from services import demo
from services.core.access import Role
from services.core.errors import InvalidInput
from services.people import units
from services.registration import plans, rollups
from tests.support.app import with_hostile_unit
from tests.support.builders import (
    COMPANY_1,
    COMPANY_2,
    OFFICER_BLOC,
    OPEN,
    plan,
    rows_of,
    unit_form,
)
from tests.support.world import unit_id

NFD_HOA = unicodedata.normalize("NFD", "Hoà")
NFC_THUY = unicodedata.normalize("NFC", "Thuỷ")
MIXED = f"{NFD_HOA} {NFC_THUY}"
HOSTILE = {
    "formula": '=IMPORTXML("http://x")',
    "plus": "+1",
    "at": "@SUM(A1)",
    "script": "<script>alert(1)</script>",
    "link": "[link](javascript:alert(1))",
    "mixed-nfc-nfd": MIXED,
}
LONG = ("Đoàn viên " * 1000).strip() + "!"  # 10,000 characters, no trailing space
assert len(LONG) == 10_000 and unicodedata.normalize("NFC", MIXED) != MIXED
CASES = [pytest.param(text, id=name) for name, text in HOSTILE.items()]
RAW = ("[link](javascript:", "<script>")  # what must never reach a markdown renderer unescaped


def stored_registration(rt, name: str) -> dict[str, str]:
    return rows_of(rt, "registrations", cycle_id=OPEN, unit_id=unit_id(rt, name))[0]


def targets(text: str) -> dict:
    return plan(targets={"ND1": text, "ND2": text, "ND3": f"  {text}\n"})


# ---- stored exactly as typed (through the service and the SQLite store) -----------------------


@pytest.mark.parametrize("text", CASES)
def test_plan_targets_are_stored_byte_exact_apart_from_the_ends(rt, people, text):
    plans.register_plan(
        rt, people[Role.SECRETARY], OPEN, unit_id(rt, COMPANY_1), targets(text), "t1"
    )
    row = stored_registration(rt, COMPANY_1)
    assert (row["target_nd1"], row["target_nd2"], row["target_nd3"]) == (text, text, text)
    assert row["target_nd1"].encode() == text.encode()  # NFD stays NFD: no normalisation


def test_a_10000_character_target_is_refused_and_nothing_is_stored(rt, people):
    with pytest.raises(InvalidInput, match="tối đa 5000"):
        plans.register_plan(
            rt, people[Role.SECRETARY], OPEN, unit_id(rt, COMPANY_1), targets(LONG), "t1"
        )
    assert rows_of(rt, "registrations", cycle_id=OPEN, unit_id=unit_id(rt, COMPANY_1)) == []


@pytest.mark.parametrize("text", CASES)
def test_a_return_reason_is_stored_as_typed(rt, people, text):
    reg = rt.workbook().registration(OPEN, unit_id(rt, COMPANY_2))
    plans.return_for_correction(rt, people[Role.UPPER], reg, text, "r1")
    row = stored_registration(rt, COMPANY_2)
    assert row["return_reason"].encode() == text.strip().encode()
    assert row["state"] == RegistrationState.RETURNED.value


def test_a_return_reason_keeps_its_line_breaks_and_inner_spaces(rt, people):
    reg = rt.workbook().registration(OPEN, unit_id(rt, COMPANY_2))
    plans.return_for_correction(rt, people[Role.UPPER], reg, " Dòng 1\nDòng  2 ", "r1")
    assert stored_registration(rt, COMPANY_2)["return_reason"] == "Dòng 1\nDòng  2"


@pytest.mark.parametrize("text", CASES)
def test_a_secretary_name_is_stored_nfc_and_otherwise_as_typed(rt, people, text):
    unit = rt.workbook().units[unit_id(rt, COMPANY_1)]
    units.edit_unit(rt, people[Role.UPPER], unit, unit_form(unit, secretary=text), "u1")
    row = rows_of(rt, "units", id=unit.id)[0]
    assert row["secretary"] == unicodedata.normalize("NFC", text)
    if text != MIXED:
        assert row["secretary"] == text  # formulas and markup are kept, never altered


def test_a_10000_character_secretary_name_is_refused_and_nothing_is_stored(rt, people):
    unit = rt.workbook().units[unit_id(rt, COMPANY_1)]
    before = rows_of(rt, "units", id=unit.id)
    with pytest.raises(InvalidInput, match="Bí thư: quá dài"):
        units.edit_unit(rt, people[Role.UPPER], unit, unit_form(unit, secretary=LONG), "u1")
    assert rows_of(rt, "units", id=unit.id) == before


# ---- exported as text cells -------------------------------------------------------------------


def sent_xlsx(rt, people, note: str):
    officer = people[Role.UPPER]
    report = rollups.send_rollup(rt, officer, OPEN, unit_id(rt, OFFICER_BLOC), note, "b1")
    data = rollups.report_xlsx(rt, officer, report)
    return load_workbook(io.BytesIO(data))["Báo cáo"]


def test_a_10000_character_reason_or_note_is_refused_and_nothing_is_written(rt, people):
    before = rt.store.read(["registrations", "upper_reports", "audit_log"])
    reg = rt.workbook().registration(OPEN, unit_id(rt, COMPANY_2))
    with pytest.raises(InvalidInput, match="quá dài"):
        plans.return_for_correction(rt, people[Role.UPPER], reg, LONG, "r1")
    with pytest.raises(InvalidInput, match="quá dài"):
        rollups.send_rollup(rt, people[Role.UPPER], OPEN, unit_id(rt, OFFICER_BLOC), LONG, "n1")
    assert rt.store.read(["registrations", "upper_reports", "audit_log"]) == before


@pytest.mark.parametrize("text", CASES)
def test_a_roll_up_note_is_a_text_cell_in_the_xlsx(rt, people, text):
    sheet = sent_xlsx(rt, people, text)
    rows = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    note = rows["Ghi chú"]
    assert note.data_type == "s"
    assert note.value == text
    stored = rows_of(rt, "upper_reports", cycle_id=OPEN, unit_id=unit_id(rt, OFFICER_BLOC))[0]
    assert stored["note"] == text


def test_no_cell_of_the_roll_up_xlsx_is_a_formula(rt, people):
    sheet = sent_xlsx(rt, people, HOSTILE["formula"])
    kinds = {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert kinds <= {"s", "n"}


# ---- shown as plain text ----------------------------------------------------------------------

RENDERED_AS_MARKDOWN = ("body", "label", "help")  # text, dataframes and options are plain


def markdown_texts(at) -> list[str]:
    """Every string on the page that Streamlit renders as markdown (bodies, labels, help)."""
    found = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") in ("text", "code"):
            continue
        for field in RENDERED_AS_MARKDOWN:
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                found.append(value)
    return found


def all_texts(at) -> str:
    return " ".join(str(getattr(node, "proto", "")) for node in at._tree)


def assert_no_live_markup(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    leaks = [t for t in markdown_texts(at) for raw in RAW if raw in t]
    assert leaks == []


HOSTILE_TEXT = f"{HOSTILE['link']} {HOSTILE['script']}"


def returned_with_hostile_text(app_runtime) -> None:
    rt = app_runtime()
    people = {p.role: p for p in demo.demo_actors(rt)}
    plans.register_plan(
        rt,
        people[Role.SECRETARY],
        OPEN,
        unit_id(rt, COMPANY_1),
        plan(plan_number=HOSTILE["link"], targets={c: HOSTILE_TEXT for c in ("ND1", "ND2", "ND3")}),
        "h1",
    )
    reg = rt.workbook().registration(OPEN, unit_id(rt, COMPANY_1))
    plans.return_for_correction(rt, people[Role.UPPER], reg, HOSTILE_TEXT, "h2")


@pytest.mark.parametrize("page", ["pages/dang_ky.py", "pages/trang_chu.py"])
def test_a_returned_reason_reaches_the_secretary_as_plain_text(open_app, app_runtime, page):
    at = open_app("secretary", page)
    returned_with_hostile_text(app_runtime)
    at.run()
    assert_no_live_markup(at)
    assert "javascript" in all_texts(at)  # the reason is on the page, only escaped


def test_plan_targets_reach_the_reviewer_as_plain_text(open_app, app_runtime):
    at = open_app("upper", "pages/dang_ky.py")
    returned_with_hostile_text(app_runtime)
    at.run()
    box = at.selectbox(key="review-unit")
    box.select_index(box.options.index(COMPANY_1)).run()
    assert_no_live_markup(at)
    assert any(HOSTILE_TEXT in t.value for t in at.text)


@pytest.mark.parametrize(
    ("person", "page"),
    [
        ("secretary", "pages/dang_ky.py"),
        ("secretary", "pages/don_vi.py"),
        ("secretary", "pages/trang_chu.py"),
        ("upper", "pages/don_vi.py"),
        ("upper", "pages/tong_hop.py"),
        ("upper", "pages/dang_ky.py"),
    ],
)
def test_a_hostile_unit_name_and_secretary_are_shown_as_plain_text(
    open_app, app_runtime, person, page
):
    at, _ = with_hostile_unit(
        open_app,
        app_runtime,
        person,
        page,
        name=f"Đoàn xã {HOSTILE['link']}",
        secretary=HOSTILE["script"],
    )
    assert_no_live_markup(at)


def test_the_review_of_a_hostile_unit_name_is_plain_text(open_app, app_runtime):
    name = f"Đoàn xã {HOSTILE['link']}"
    at, hostile_id = with_hostile_unit(
        open_app, app_runtime, "upper", "pages/dang_ky.py", name=name
    )
    rt = app_runtime()
    officer = next(p for p in demo.demo_actors(rt) if p.role is Role.UPPER)
    plans.register_plan(rt, officer, OPEN, hostile_id, plan(), "p1", received_on=date(2026, 11, 24))
    at.run()
    box = at.selectbox(key="review-unit")
    box.select_index(box.options.index(name)).run()
    assert_no_live_markup(at)
    assert any("javascript" in t for t in markdown_texts(at))  # shown, but escaped


def test_a_hostile_upper_unit_name_on_the_roll_up_screen_is_plain_text(open_app, app_runtime):
    at = open_app("upper", "pages/bao_cao.py")
    rt = app_runtime()
    province = next(p for p in demo.demo_actors(rt) if p.role is Role.PROVINCE)
    district = rt.workbook().units[unit_id(rt, OFFICER_BLOC)]
    name = f"Huyện đoàn {HOSTILE['link']}"
    units.edit_unit(rt, province, district, unit_form(district, name=name), "e1")
    at.run()
    assert_no_live_markup(at)
    assert any("javascript" in t for t in markdown_texts(at))  # shown, but escaped
