"""Long input: every text box has a length limit, and no validator slows down on hostile input.

Before, 30,000 characters in the unit form's e-mail took 6 s per click in a backtracking pattern,
holding the interpreter lock, so every session froze.
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

import pytest

from schemas.models import (
    DecisionForm,
    PlanForm,
    UnitForm,
    UserForm,
    check_email,
    check_phone,
    parse_decimal,
)
from schemas.standing import check_standings_cell
from services.core.access import Role
from services.core.errors import AccessDenied, InvalidInput
from services.core.forms import free_text, validate
from services.people import units
from services.reminders.messages import valid_email
from tests.support.builders import unit_form

ROOT = Path(__file__).resolve().parents[2]
N = 30_000
HOSTILE = [
    "a@" + "a" * N,
    "a@" + "a." * (N // 2),
    "@" * N,
    "a" * N + "@",
    "a@" + "." * N,
    "a" * N,
    "0" * N,
    "+84" + "0" * N,
    " " * N + "a",
    "1" * N + ",",
    "a@b." + "c" * N + " ",
    "1.1: Chưa đạt" + " " * N + "x",
    "1" + " " * N + "x",
    "1.1:" + " " * N,
    "a@" + "a." * (N // 2) + " x",
]
UNIT = {"name": "Đoàn xã Mẫu", "kind": "Xã", "parent_id": "DV-0001", "members": 100, "chi_doan": 3}


def run(check, text):
    with contextlib.suppress(ValueError, InvalidInput):
        check(text)


CHECKS = {
    "email": check_email,
    "phone": check_phone,
    "decimal": parse_decimal,
    "free_text": lambda t: free_text(t, "Ghi chú", 2000),
    "standings_cell": check_standings_cell,
    "reminder.address": valid_email,
    **{
        f"unit.{field}": (lambda f: lambda t: validate(UnitForm, {**UNIT, f: t}))(field)
        for field in ("name", "secretary", "phone", "email", "officer")
    },
    **{
        f"user.{field}": (
            lambda f: (
                lambda t: validate(
                    UserForm,
                    {"email": "a@b.vn", "name": "A", "role": "Người xem", "unit_id": "DV-1", f: t},
                )
            )
        )(field)
        for field in ("email", "name", "unit_id")
    },
    "plan.number": lambda t: validate(
        PlanForm, {"plan_number": t, "plan_date": "20/11/2026", "targets": {}}
    ),
    "decision.signer": lambda t: validate(
        DecisionForm, {"number": "1", "signed_on": "20/11/2026", "signer": t}
    ),
}


def best_of_three(check, inputs) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        for text in inputs:
            run(check, text)
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.mark.parametrize("name", list(CHECKS))
def test_no_validator_takes_much_longer_on_hostile_input_than_on_a_short_one(name):
    check = CHECKS[name]
    short = best_of_three(check, ["bithu.mau@example.vn"] * len(HOSTILE))
    hostile = best_of_three(check, HOSTILE)
    assert hostile <= 20 * short + 0.002, f"{name}: {hostile:.4f}s vs {short:.4f}s"


@pytest.mark.parametrize("field", ["phone", "email"])
def test_the_unit_forms_contacts_have_a_length_limit(field):
    with pytest.raises(InvalidInput, match="quá dài|tối đa|at most|nhiều nhất"):
        validate(UnitForm, {**UNIT, field: "1" * 300})


def test_a_secretary_or_viewer_is_refused_before_the_unit_form_is_checked(rt, people):
    for role in (Role.SECRETARY, Role.VIEWER):
        with pytest.raises(AccessDenied):
            units.add_unit(rt, people[role], {"email": "a@" + "a" * N}, "f" * 16)


def test_an_officer_editing_a_unit_outside_their_scope_is_refused_before_validation(rt, people):
    unit = next(u for u in rt.workbook().units.values() if not u.parent_id)
    bad = unit_form(unit, email="not an e-mail")
    with pytest.raises(AccessDenied):
        units.edit_unit(rt, people[Role.UPPER], unit, bad, "g" * 16)


def test_every_text_box_of_every_screen_has_a_length_limit():
    missing = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        text = path.read_text("utf-8")
        for match in re.finditer(r"\btext_(input|area)\b", text):
            opening = match.end()  # the call's "(", or the enclosing call's (a helper's)
            if text[opening] != "(":
                depth = 0
                while depth >= 0:
                    opening -= 1
                    depth += {")": 1, "(": -1}.get(text[opening], 0)
            depth, end = 0, opening
            for end in range(opening, len(text)):
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                if depth == 0:
                    break
            if "max_chars" not in text[opening:end]:
                missing.append(f"{path.name}:{text.count(chr(10), 0, match.start()) + 1}")
    assert missing == []
