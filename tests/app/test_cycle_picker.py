"""Every cycle picker opens on the year of the person's next task, and a year chosen on one screen
is kept for the others (decision 29)."""

from __future__ import annotations

import pytest

from services.core.access import Role
from services.demo.province import demo_actors
from services.overview import tasks
from services.registration import plans
from tests.support.app import PEOPLE, choose_cycle
from tests.support.world import PLAN

# Each screen with a cycle picker, by the key of its picker.
PICKERS = {
    "pages/tong_hop.py": "cycle",
    "pages/dang_ky.py": "cycle",
    "pages/bao_cao.py": "cycle",
    "pages/danh_gia.py": "assess-cycle",
    "pages/quyet_dinh.py": "decision-cycle",
    "pages/ket_qua.py": "results-cycle",
}


def person(rt, role: Role):
    return next(a for a in demo_actors(rt) if a.role is role)


def year_on(at, page: str) -> str:
    """The year the screen's picker shows now."""
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.selectbox(key=PICKERS[page]).value.name


def test_every_picker_opens_on_the_officers_next_task_year(open_app, app_runtime):
    at = open_app("upper", "pages/tong_hop.py")
    expected = tasks.next_task_cycle(app_runtime(), person(app_runtime(), Role.UPPER)).name
    assert {page: year_on(at, page) for page in PICKERS} == dict.fromkeys(PICKERS, expected)


def test_the_home_page_names_the_same_year_as_the_pickers(open_app, app_runtime):
    at = open_app("province", "pages/trang_chu.py")
    words = " ".join(i.value for i in at.info).replace("\\", "")
    assert "Việc tiếp theo:" in words
    assert f"Việc tiếp theo:** {year_on(at, 'pages/danh_gia.py')} — " in words


def test_a_year_chosen_on_one_screen_is_kept_on_the_others(open_app, app_runtime):
    at = open_app("upper", "pages/danh_gia.py")
    rt = app_runtime()
    opened = at.selectbox(key="assess-cycle").value
    other = next(c for c in rt.workbook().cycles_newest_first() if c.id != opened.id)
    choose_cycle(at, "assess-cycle", other.name)
    assert {page: year_on(at, page) for page in PICKERS} == dict.fromkeys(PICKERS, other.name)
    choose_cycle(at, "results-cycle", opened.name)  # until they choose another
    assert year_on(at, "pages/dang_ky.py") == opened.name


def test_a_secretary_who_sends_the_plan_stays_on_its_year_and_is_sent_on_to_the_next_task(
    open_app, app_runtime
):
    at = open_app("secretary", "pages/dang_ky.py")
    rt = app_runtime()
    secretary = person(rt, Role.SECRETARY)
    registering = at.selectbox(key="cycle").value
    plans.register_plan(rt, secretary, registering.id, secretary.unit_id, PLAN, "picker-1")
    at.run()
    assert at.selectbox(key="cycle").value.id == registering.id  # the screen keeps its year
    after = tasks.next_task_cycle(rt, secretary)
    assert after.id != registering.id  # the self-assessment is next
    assert year_on(at, "pages/danh_gia.py") == after.name


def test_the_choice_belongs_to_the_person_who_made_it(open_app, app_runtime):
    at = open_app("upper", "pages/danh_gia.py")
    rt = app_runtime()
    opened = at.selectbox(key="assess-cycle").value
    other = next(c for c in rt.workbook().cycles_newest_first() if c.id != opened.id)
    choose_cycle(at, "assess-cycle", other.name)
    at.sidebar.selectbox(key="demo_person").select_index(PEOPLE["province"]).run()
    expected = tasks.next_task_cycle(rt, person(rt, Role.PROVINCE)).name
    assert year_on(at, "pages/tong_hop.py") == expected != other.name


@pytest.mark.parametrize(
    ("page", "says"),
    [
        ("pages/ket_qua.py", "Chưa có đơn vị nào được đánh giá trong năm"),
        ("pages/danh_gia.py", "chưa bắt đầu nên chưa có gì để đánh giá"),
        ("pages/quyet_dinh.py", "chưa có đơn vị nào của"),
    ],
)
def test_a_screen_opened_on_a_year_with_nothing_yet_says_so(open_app, app_runtime, page, says):
    at = open_app("upper", page)
    rt = app_runtime()
    shown = at.selectbox(key=PICKERS[page]).value
    assert shown.year > rt.clock.now().year  # the officer's next task is next year's registration
    infos = [i.value.replace("\\", "") for i in at.info]
    assert any(says in i and shown.name.lower() in i.lower() for i in infos), infos
