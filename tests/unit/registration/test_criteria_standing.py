"""Where a unit stands on each criterion when it registers, its roadmaps, and its signed plan's link:
the form's rules, and what every engine stores and reads back (a hand edit included)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from schemas.criteria import load_catalogue
from schemas.standing import CriterionStanding, Standing, parse_standings
from schemas.tabs import TABS
from services import demo
from services.core.access import Role
from services.core.errors import InvalidInput
from services.core.runtime import Runtime
from services.data import health
from services.registration import plans, status
from services.storage.cache import CachedStore
from tests.support.builders import OPEN, plan, rows_of
from tests.support.engines import ENGINES
from tests.support.province import Province
from tests.support.sheets_health import KEY, DemoSheet

LINK = "https://drive.google.com/file/d/1AbC/view?usp=sharing"
STATED = {
    "1.1": {"standing": "Đã đạt", "roadmap": ""},
    "2.3": {"standing": "Chưa đạt", "roadmap": "Quý I/2027: tổ chức 2 hoạt động tình nguyện"},
    "3.3": {"standing": "Đang thực hiện", "roadmap": "Tháng 3/2027 tham mưu buổi đối thoại"},
}


def statements(**changes) -> dict:
    return plan(plan_link=LINK, standings=STATED | changes)


def refusal(rt, me, data) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        plans.register_plan(rt, me, OPEN, me.unit_id, data, "k1")
    return refused.value.messages


# ---- the form's rules -------------------------------------------------------------------------


def test_the_statements_and_the_link_are_stored_with_the_registration(rt, people):
    me = people[Role.SECRETARY]
    plans.register_plan(rt, me, OPEN, me.unit_id, statements(), "k1")
    reg = rt.workbook().registration(OPEN, me.unit_id)
    assert reg.plan_link == LINK
    assert reg.standings == {
        "1.1": CriterionStanding(Standing.MET),
        "2.3": CriterionStanding(Standing.NOT_MET, STATED["2.3"]["roadmap"]),
        "3.3": CriterionStanding(Standing.IN_PROGRESS, STATED["3.3"]["roadmap"]),
    }
    (row,) = rows_of(rt, "registrations", cycle_id=OPEN, unit_id=me.unit_id)
    assert row["criteria_standing"].splitlines()[1] == (
        "2.3: Chưa đạt. Lộ trình: Quý I/2027: tổ chức 2 hoạt động tình nguyện"
    )


def test_a_plan_without_statements_or_link_is_still_accepted(rt, people):
    me = people[Role.SECRETARY]
    plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k1")
    reg = rt.workbook().registration(OPEN, me.unit_id)
    assert (reg.plan_link, reg.standings) == ("", {})


@pytest.mark.parametrize("standing", ["Chưa đạt", "Đang thực hiện"])
def test_a_criterion_not_yet_met_needs_its_roadmap_named_by_its_label(rt, people, standing):
    me = people[Role.SECRETARY]
    messages = refusal(rt, me, statements(**{"2.4": {"standing": standing, "roadmap": "  "}}))
    assert messages == [
        f"Lộ trình thực hiện tiêu chí 2.4: bắt buộc phải nhập khi tiêu chí {standing.lower()}"
    ]
    assert rows_of(rt, "registrations", cycle_id=OPEN, unit_id=me.unit_id) == []


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "drive.google.com/file/d/1AbC",
        "ftp://example.vn/kehoach.pdf",
        "https://example.vn/ke hoach.pdf",
        'https://example.vn/"><script>',
        "https://",
        "https://example.vn/" + "a" * 500,
    ],
)
def test_a_link_that_is_not_a_plain_web_address_is_refused_in_vietnamese(rt, people, link):
    me = people[Role.SECRETARY]
    (message,) = refusal(rt, me, statements() | {"plan_link": link})
    assert message.startswith("Đường dẫn kế hoạch đã ký: ")
    assert "http:// hoặc https://" in message or "quá dài (tối đa 500 ký tự" in message


def test_every_problem_is_listed_at_once_and_nothing_is_written(rt, people):
    me = people[Role.SECRETARY]
    data = statements(
        **{
            "1.2": {"standing": "Xong rồi", "roadmap": ""},
            "1.3": {"standing": None, "roadmap": "Quý II rà soát hồ sơ"},
            "9.9": {"standing": "Đã đạt", "roadmap": ""},
        }
    ) | {"plan_link": "www.example.vn", "plan_date": "26/11/2026"}
    messages = refusal(rt, me, data)
    assert any(m.startswith("Ngày kế hoạch: ") for m in messages)
    assert any(m.startswith("Đường dẫn kế hoạch đã ký: ") for m in messages)
    assert "Tình hình từng tiêu chí: không có trong bộ tiêu chí: 9.9" in messages
    assert any(m.startswith("Tình hình tiêu chí 1.2: phải là một trong: ") for m in messages)
    assert "Tình hình tiêu chí 1.3: hãy chọn tình hình cho lộ trình đã ghi" in messages
    assert rows_of(rt, "registrations", cycle_id=OPEN, unit_id=me.unit_id) == []


def test_a_resend_replaces_the_statements(rt, people):
    me = people[Role.SECRETARY]
    plans.register_plan(rt, me, OPEN, me.unit_id, statements(), "k1")
    met = {"standing": "Đã đạt", "roadmap": ""}
    plans.register_plan(rt, me, OPEN, me.unit_id, plan(standings={"2.3": met}), "k2")
    reg = rt.workbook().registration(OPEN, me.unit_id)
    assert reg.standings == {"2.3": CriterionStanding(Standing.MET)} and reg.plan_link == ""


# ---- reading a cell typed by hand --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2.3 Chưa đạt", "dòng 1 ('2.3 Chưa đạt') phải có dạng"),
        ("1.1: Đã đạt\n2.3: Chưa đạt", "dòng 2: Lộ trình thực hiện tiêu chí 2.3: bắt buộc"),
        ("1.1: Đã đạt\n1.1: Chưa đạt. Lộ trình: x", "dòng 2: tiêu chí 1.1 được ghi hai lần"),
        ("1.1: Hoàn thành", "dòng 1, tiêu chí 1.1: tình hình phải là một trong"),
        (": Đã đạt", "dòng 1 (': Đã đạt') phải có dạng"),
        ("1.1: Đã đạt\n2.3: Chưa đạt. Lộ trình: " + "x" * 800, "dòng 2 quá dài (tối đa 700 ký tự"),
    ],
)
def test_an_unreadable_statement_cell_says_which_line_and_why(text, words):
    with pytest.raises(ValueError) as refused:
        parse_standings(text)
    assert words in str(refused.value)


def test_a_hand_typed_cell_reads_as_people_write_it():
    found = parse_standings("1.1:đã đạt\n\n 2.3 : chưa đạt - lộ trình: quý II\n")
    assert found == {
        "1.1": CriterionStanding(Standing.MET),
        "2.3": CriterionStanding(Standing.NOT_MET, "quý II"),
    }


def test_separators_before_the_roadmap_belong_to_neither_part():
    for separator in (".", ";", ",", "–", "—", "-", ""):
        found = parse_standings(f"2.3: Đang thực hiện {separator}  Lộ Trình :  quý II ")
        assert found == {"2.3": CriterionStanding(Standing.IN_PROGRESS, "quý II")}, separator


def test_a_line_of_spaces_just_under_the_length_limit_is_read_at_once():
    """The old patterns were cubic in a run of spaces: 500 of them took over a second."""
    started = time.perf_counter()
    for line in ("2.3: Chưa đạt" + " " * 680 + "x", "2" + " " * 690 + "x", "2.3:" + " " * 690):
        with pytest.raises(ValueError):
            parse_standings(line)
    assert time.perf_counter() - started < 0.25


# ---- every engine: SQLite, PostgreSQL and Google Sheets (real gspread on the fake API) -----------


@pytest.fixture(params=sorted(ENGINES))
def engine_rt(request, tmp_path, clock) -> Runtime:
    return Runtime(CachedStore(ENGINES[request.param](request, tmp_path)), clock, load_catalogue())


def test_every_engine_stores_the_statements_and_reads_them_back(engine_rt):
    p = Province(engine_rt)
    cycle = p.cycle(2027)
    me = p.actor("a1", Role.SECRETARY)
    plans.register_plan(engine_rt, me, cycle, me.unit_id, statements(), "k1")
    again = Runtime(CachedStore(engine_rt.store.inner), engine_rt.clock, engine_rt.criteria)
    reg = again.workbook().registration(cycle, me.unit_id)
    assert reg.plan_link == LINK
    assert reg.standings["3.3"] == CriterionStanding(
        Standing.IN_PROGRESS, "Tháng 3/2027 tham mưu buổi đối thoại"
    )
    assert list(reg.standings) == ["1.1", "2.3", "3.3"]


# ---- through real gspread on the fake Sheets API --------------------------------------------------


@pytest.fixture
def sheet() -> DemoSheet:
    return DemoSheet.open()


def test_on_google_sheets_the_statements_round_trip_and_a_bad_hand_edit_is_listed(sheet):
    rt = sheet.rt
    me = replace(next(a for a in demo.demo_actors(rt) if a.role is Role.SECRETARY), demo=False)
    plans.register_plan(rt, me, OPEN, me.unit_id, statements(), "k1")
    reg = sheet.later().workbook().registration(OPEN, me.unit_id)
    assert reg.plan_link == LINK and set(reg.standings) == {"1.1", "2.3", "3.3"}
    row = sheet.row_of("registrations", reg.id)
    shown = sheet.values("registrations")[row - 1]
    assert LINK in shown and any(c.startswith("1.1: Đã đạt\n2.3: Chưa đạt.") for c in shown)

    sheet.type("registrations", "criteria_standing", row, "2.3: Chưa đạt")
    sheet.type("registrations", "plan_link", row, "javascript:alert(1)")
    later = sheet.later()
    found = [p for p in health.report(later, sheet.province()).problems if p.row == row]
    columns = {p.column: p.message for p in found}
    assert "Lộ trình thực hiện tiêu chí 2.3: bắt buộc" in columns["Tình hình từng tiêu chí"]
    assert "http:// hoặc https://" in columns["Đường dẫn kế hoạch đã ký"]
    unit = later.workbook().units[me.unit_id]
    cycle = later.workbook().cycles[OPEN]
    assert status.unit_status(later.workbook(), cycle, unit) == "Lỗi dữ liệu"


def test_a_sheet_made_before_these_columns_gets_them_on_the_first_sending(sheet):
    grid = sheet.fake.book(KEY).sheet(TABS["registrations"].title)
    header = sheet.values("registrations")[0]
    first = header.index("Đường dẫn kế hoạch đã ký")
    grid.delete_cols(first, first + 2)  # the two columns this change added
    assert "Tình hình từng tiêu chí" not in sheet.values("registrations")[0]
    rt = sheet.later()
    me = replace(next(a for a in demo.demo_actors(rt) if a.role is Role.SECRETARY), demo=False)
    plans.register_plan(rt, me, OPEN, me.unit_id, statements(), "k1")
    header = sheet.values("registrations")[0]
    assert header[-2:] == ["Đường dẫn kế hoạch đã ký", "Tình hình từng tiêu chí"]
    reg = sheet.later().workbook().registration(OPEN, me.unit_id)
    assert reg.plan_link == LINK and set(reg.standings) == {"1.1", "2.3", "3.3"}
