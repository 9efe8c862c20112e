"""Each role's main job, in a real browser, from a fresh demo store, in the order a year runs.

The tests act only through the browser: the person is chosen in the demo sign-in picker, screens
are opened from the sidebar, and every step checks what the person sees. After each step the test
checks what the store holds (the only thing read around the browser). The people are found in the
store by their role and place in the tree (tests/support/demo_store.py), never by a demo name.

The year's work is made by the suite itself, so it does not hang on what the demo happens to
hold: province staff add a newly founded unit to the demo secretary's upper unit and give its
secretary and a second officer of that upper unit access; both secretaries register; the new
officer adds another newly founded unit (the one that has not registered, which gets an extension
and a paper plan), accepts one plan and returns the other. From the demo the suite takes only a
secretary whose unit has not registered yet and a unit of the same upper unit to assess.

One app server serves the whole year, and the steps build on each other (the audit log at the end
shows what the others did), so they are one test that runs them in order (a step's name is in the
traceback when it fails). Every step's screenshot is kept in shots/journeys/ (git-ignored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

import openpyxl
import pytest

from pages._navigation import BY_ROLE, SCREENS
from schemas.models import (
    AssessmentState,
    Assessor,
    Cycle,
    LatePolicy,
    RegistrationState,
    Role,
    UnitKind,
    User,
)
from tests.support.demo_store import (
    DemoApp,
    demo_app,
    label,
    officer_above,
    someone,
    unit_named,
    unit_to_assess,
    unregistered_secretary,
)
from tests.support.screens import (
    choose,
    download,
    fill_assessment,
    fill_day,
    fill_plan,
    form_with,
    open_expander,
    open_screen,
    open_tab,
    options,
    press,
    screen_titles,
    settled,
    shoot,
    shows,
    sidebar,
    sign_in_as,
    start,
    success,
    table_after,
    table_rows,
    type_day,
)

NEW_OFFICER = ("theodoi.e2e@mau.example", "Cán bộ theo dõi thử nghiệm")
NEW_SECRETARY = ("bithu.e2e@mau.example", "Bí thư Công ty Thử nghiệm Sao Mai")
FOUNDED = "Đoàn cơ sở Công ty Thử nghiệm Sao Mai"  # founded this year; its secretary registers
LATE = "Đoàn cơ sở Công ty Thử nghiệm Bình Minh"  # founded this year; sends a paper plan late
RETURN_REASON = "Bổ sung lộ trình thực hiện nội dung 3 theo từng quý"


@dataclass
class Journey:
    app: DemoApp
    registering: Cycle
    assessing: Cycle
    province: User
    viewer: User
    secretary: User
    officer: User  # the secretary's upper unit's officer; the new officer works beside them
    to_assess: str  # a unit of that upper unit accepted in the cycle being assessed
    actions: dict[str, set[str]] = field(default_factory=dict)  # person → actions done
    step: int = 0

    @property
    def upper(self) -> str:
        """The upper unit whose year the suite runs (the secretary's)."""
        return self.officer.unit_id

    def name(self, unit_id: str) -> str:
        return self.app.workbook().units[unit_id].name

    def unit(self, name: str) -> str:
        return unit_named(self.app.workbook(), name)

    def shoot(self, page, what: str) -> None:
        self.step += 1
        shoot(page, "journeys", f"{self.step:02d}-{what}")

    def did(self, person: str, *actions: str) -> None:
        self.actions.setdefault(person, set()).update(actions)

    def today(self) -> date:
        return self.app.now().date()


@pytest.fixture(scope="module")
def journey(tmp_path_factory, chromium_browser):
    with demo_app(tmp_path_factory.mktemp("journeys")) as app:
        first = chromium_browser.new_page()
        start(first, app.url)  # the store is seeded on the first visit
        first.close()
        wb = app.workbook()
        registering, assessing = app.cycles_now()
        secretary = unregistered_secretary(wb, registering.id, accepted_in=assessing.id)
        officer = officer_above(wb, secretary.unit_id)
        yield Journey(
            app,
            registering,
            assessing,
            someone(wb, Role.PROVINCE),
            someone(wb, Role.VIEWER),
            secretary,
            officer,
            unit_to_assess(wb, officer.unit_id, assessing.id, besides={secretary.unit_id}),
        )


def as_person(page, j: Journey, person: User | str, screen: str) -> None:
    """A fresh session: sign in as `person` (a user, or a picker label) and open `screen`."""
    start(page, j.app.url)
    sign_in_as(page, person if isinstance(person, str) else label(person))
    open_screen(page, screen)


def on_year(page, cycle: Cycle) -> None:
    """Work on `cycle`'s year. Every screen's picker opens on the year of the person's next task
    (or the one they chose earlier in the session), which moves as the journey does their tasks:
    so each step says which year it works on, as a person would look at the picker first."""
    choose(page, "Năm thực hiện", cycle.name)


def cells_of(xlsx) -> list[str]:
    """Every filled cell of a downloaded .xlsx, as text, sheet by sheet and row by row."""
    return [
        str(c.value)
        for sheet in openpyxl.load_workbook(xlsx).worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]


def new_officer_label() -> str:
    return f"{NEW_OFFICER[1]} · {Role.UPPER.value}"


def new_secretary_label() -> str:
    return f"{NEW_SECRETARY[1]} · {Role.SECRETARY.value}"


def registration(j: Journey, unit_id: str, cycle: Cycle | None = None):
    return j.app.workbook().registration((cycle or j.registering).id, unit_id)


def add_unit(page, j: Journey, name: str, secretary: tuple[str, str]) -> str:
    """On the Đơn vị screen: add a company's Đoàn cơ sở under the journey's upper unit; its id."""
    upper = j.name(j.upper)
    open_tab(page, "Thêm đơn vị")
    form = form_with(page, "Thêm đơn vị")
    form.get_by_label("Tên đơn vị", exact=True).fill(name)
    choose(page, "Loại đơn vị", UnitKind.DOANH_NGHIEP.value, within=form)
    choose(page, "Đơn vị cấp trên", upper, within=form)
    form.get_by_label("Số đoàn viên", exact=True).fill("126")
    form.get_by_label("Số chi đoàn", exact=True).fill("4")
    form.get_by_label("Bí thư", exact=True).fill(secretary[1])
    form.get_by_label("Điện thoại", exact=True).fill("+84 912 345 678")
    form.get_by_label("Email", exact=True).fill(secretary[0].upper())
    press(page, "Thêm đơn vị", within=form)
    shows(page, f"Đã thêm {name} thuộc {upper}")
    unit = j.app.workbook().units[j.unit(name)]
    assert (unit.parent_id, unit.kind, unit.members, unit.chi_doan) == (
        j.upper,
        UnitKind.DOANH_NGHIEP,
        126,
        4,
    )
    assert (unit.phone, unit.email) == ("0912345678", secretary[0])  # stored one way
    return unit.id


def add_user(page, role: Role, person: tuple[str, str], unit: str) -> None:
    """On the Người dùng screen: give `person` (e-mail, name) access with `role` for `unit`."""
    open_tab(page, "Thêm người dùng")
    choose(page, "Vai trò", role.value)
    form = form_with(page, "Thêm người dùng")
    form.get_by_label("Email đăng nhập", exact=True).fill(person[0])
    form.get_by_label("Họ và tên", exact=True).fill(person[1])
    choose(page, "Đơn vị", unit, within=form)
    press(page, "Thêm người dùng", within=form)
    shows(page, f"Đã cấp quyền cho {person[1]}")


# ---- province staff: a new unit, its secretary, a second officer ---------------------------


def step_province_staff_add_a_unit_and_give_its_secretary_and_an_officer_access(
    journey, browser_page
):
    j, page = journey, browser_page
    as_person(page, j, j.province, "Đơn vị")
    founded = add_unit(page, j, FOUNDED, NEW_SECRETARY)
    j.shoot(page, "tinh-doan-them-don-vi")

    open_screen(page, "Người dùng")
    add_user(page, Role.SECRETARY, NEW_SECRETARY, FOUNDED)
    add_user(page, Role.UPPER, NEW_OFFICER, j.name(j.upper))
    j.shoot(page, "tinh-doan-da-cap-quyen")
    j.did(j.province.name, "Thêm đơn vị", "Thêm người dùng")

    wb = j.app.workbook()
    for (email, name), role, unit_id in (
        (NEW_SECRETARY, Role.SECRETARY, founded),
        (NEW_OFFICER, Role.UPPER, j.upper),
    ):
        user = wb.user_by_email(email)
        assert user is not None
        assert (user.name, user.role, user.unit_id, user.active) == (name, role, unit_id, True)


# ---- secretary ----------------------------------------------------------------------------


def step_the_new_unit_s_secretary_registers(journey, browser_page):
    j, page = journey, browser_page
    unit_id = j.unit(FOUNDED)
    assert registration(j, unit_id) is None
    as_person(page, j, new_secretary_label(), "Đăng ký")
    on_year(page, j.registering)
    form = form_with(page, "Gửi đăng ký")
    fill_plan(page, form, "01-KH/ĐTN", j.today() - timedelta(days=1))
    press(page, "Gửi đăng ký", within=form)
    receipt = success(page)
    sent = registration(j, unit_id)
    assert sent is not None and sent.state is RegistrationState.SENT
    assert (sent.plan_number, sent.upper_unit_id) == ("01-KH/ĐTN", j.upper)
    assert FOUNDED in receipt and sent.id in receipt
    j.shoot(page, "bi-thu-don-vi-moi-da-gui")
    j.did(NEW_SECRETARY[1], "Gửi đăng ký")


def step_a_secretary_registers_resends_and_fixes_a_returned_plan(journey, browser_page):
    j, page = journey, browser_page
    unit_id = j.secretary.unit_id
    unit = j.name(unit_id)
    assert registration(j, unit_id) is None

    as_person(page, j, j.secretary, "Đăng ký")
    on_year(page, j.registering)
    j.shoot(page, "bi-thu-mo-dang-ky")
    form = form_with(page, "Gửi đăng ký")
    fill_plan(page, form, "12-KH/ĐTN", j.today() - timedelta(days=3))
    press(page, "Gửi đăng ký", within=form)
    receipt = success(page)
    sent = registration(j, unit_id)
    assert sent is not None and sent.state is RegistrationState.SENT
    assert (sent.plan_number, sent.plan_date) == ("12-KH/ĐTN", j.today() - timedelta(days=3))
    assert unit in receipt and sent.id in receipt and "đúng hạn" in receipt
    j.shoot(page, "bi-thu-da-gui")

    form = form_with(page, "Gửi lại đăng ký")
    form.get_by_label("Số kế hoạch", exact=True).fill("12a-KH/ĐTN")
    press(page, "Gửi lại đăng ký", within=form)
    assert sent.id in success(page)
    again = registration(j, unit_id)
    assert (again.id, again.plan_number, again.submitted_at) == (
        sent.id,
        "12a-KH/ĐTN",
        sent.submitted_at,
    )
    assert (
        sum(1 for r in j.app.workbook().registrations_of(j.registering.id) if r.unit_id == unit_id)
        == 1
    )
    j.shoot(page, "bi-thu-gui-lai")
    j.did(j.secretary.name, "Gửi đăng ký", "Gửi lại đăng ký")

    # The upper unit's officer returns it with a reason.
    as_person(page, j, j.officer, "Đăng ký")
    on_year(page, j.registering)
    open_tab(page, "Tiếp nhận / trả lại")
    choose(page, "Đơn vị", unit)
    shows(page, f"{unit} — {RegistrationState.SENT.value}")
    page.get_by_label("Lý do trả lại", exact=True).fill(RETURN_REASON)
    j.shoot(page, "can-bo-tra-lai")
    press(page, "Trả lại để sửa")
    shows(page, f"{unit} — {RegistrationState.RETURNED.value}")
    returned = registration(j, unit_id)
    assert (returned.state, returned.return_reason) == (RegistrationState.RETURNED, RETURN_REASON)
    j.shoot(page, "can-bo-da-tra-lai")
    j.did(j.officer.name, "Trả lại đăng ký")

    # The secretary reads why, fixes the plan and sends it again.
    as_person(page, j, j.secretary, "Đăng ký")
    on_year(page, j.registering)
    shows(page, RETURN_REASON)
    j.shoot(page, "bi-thu-thay-ly-do")
    form = form_with(page, "Gửi lại đăng ký")
    fixed = "Tổ chức đối thoại với thanh niên; lộ trình: quý II chuẩn bị, quý III đối thoại"
    form.locator("textarea").nth(2).fill(fixed)
    press(page, "Gửi lại đăng ký", within=form)
    assert sent.id in success(page)
    resent = registration(j, unit_id)
    assert (resent.state, resent.target_nd3) == (RegistrationState.SENT, fixed)
    j.shoot(page, "bi-thu-da-sua")


def step_the_secretary_assesses_their_own_unit(journey, browser_page):
    j, page = journey, browser_page
    as_person(page, j, j.secretary, "Đánh giá")
    on_year(page, j.assessing)
    form = form_with(page, "Gửi đánh giá")
    fill_assessment(page, form)
    j.shoot(page, "bi-thu-tu-danh-gia")
    press(page, "Gửi đánh giá", within=form)
    assert "Đã gửi đánh giá" in success(page)
    j.shoot(page, "bi-thu-da-gui-tu-danh-gia")
    j.did(j.secretary.name, "Gửi tự đánh giá")

    own = [
        a
        for a in j.app.workbook().assessments.values()
        if (a.cycle_id, a.unit_id, a.assessor)
        == (j.assessing.id, j.secretary.unit_id, Assessor.SELF)
    ]
    assert [a.state for a in own] == [AssessmentState.SUBMITTED]


# ---- upper-unit officer ---------------------------------------------------------------------


def step_an_officer_follows_up_extends_enters_a_paper_plan_accepts_and_returns(
    journey, browser_page
):
    j, page = journey, browser_page
    first, second = j.name(j.secretary.unit_id), FOUNDED  # the fixed plan, the new unit's plan

    as_person(page, j, new_officer_label(), "Đơn vị")
    not_registered = add_unit(page, j, LATE, ("bithu.binhminh@mau.example", "Trần Thị Thử"))
    missing = LATE  # founded today: it has not registered yet
    j.shoot(page, "can-bo-them-don-vi")

    open_screen(page, "Tổng hợp")
    on_year(page, j.registering)
    follow_up = table_rows(page, table_after(page, "Đơn vị chưa đăng ký hoặc cần xử lý"))
    listed = {row["Đơn vị"]: row for row in follow_up}
    assert missing in listed and first not in listed and second not in listed
    j.shoot(page, "can-bo-tong-hop")

    open_screen(page, "Đăng ký")
    on_year(page, j.registering)
    open_tab(page, "Gia hạn")
    form = form_with(page, "Cho gia hạn")
    choose(page, "Đơn vị", missing, within=form)
    new_day = j.today() + timedelta(days=40)
    type_day(page, "Hạn mới: hết ngày", new_day, within=form)
    form.get_by_label("Lý do gia hạn", exact=True).fill("Đơn vị đang kiện toàn Ban Chấp hành")
    press(page, "Cho gia hạn", within=form)
    assert f"Đã gia hạn cho {missing}" in success(page)
    j.shoot(page, "can-bo-gia-han")
    extension = j.app.workbook().extension(j.registering.id, not_registered)
    assert extension is not None and extension.cutoff.date() == new_day + timedelta(days=1)

    open_tab(page, "Nhập thay bản giấy")
    choose(page, "Đơn vị chưa đăng ký", missing)
    form = form_with(page, "Nhập thay đăng ký")
    fill_plan(page, form, "03-KH/ĐTN", j.today() - timedelta(days=6))
    received = j.today() - timedelta(days=2)
    type_day(page, "Ngày nhận bản giấy", received, within=form)
    press(page, "Nhập thay đăng ký", within=form)
    receipt = success(page)
    paper = registration(j, not_registered)
    assert paper is not None and paper.received_on == received and paper.id in receipt
    j.shoot(page, "can-bo-nhap-thay")

    open_tab(page, "Tiếp nhận / trả lại")
    choose(page, "Đơn vị", first)
    shows(page, f"{first} — {RegistrationState.SENT.value}")
    press(page, "Tiếp nhận")
    shows(page, f"{first} — {RegistrationState.ACCEPTED.value}")
    assert registration(j, j.secretary.unit_id).state is RegistrationState.ACCEPTED
    j.shoot(page, "can-bo-tiep-nhan")

    choose(page, "Đơn vị", second)
    shows(page, f"{second} — {RegistrationState.SENT.value}")
    page.get_by_label("Lý do trả lại", exact=True).fill(
        "Nội dung 2 chưa nêu công trình thanh niên cụ thể"
    )
    press(page, "Trả lại để sửa")
    shows(page, f"{second} — {RegistrationState.RETURNED.value}")
    assert registration(j, j.unit(FOUNDED)).state is RegistrationState.RETURNED
    j.shoot(page, "can-bo-tra-lai-don-vi-khac")
    j.did(
        NEW_OFFICER[1],
        "Thêm đơn vị",
        "Gia hạn đăng ký",
        "Nhập thay đăng ký",
        "Tiếp nhận đăng ký",
        "Trả lại đăng ký",
    )


def step_the_officer_sends_the_roll_up_report_and_downloads_it(journey, browser_page, tmp_path):
    j, page = journey, browser_page
    as_person(page, j, new_officer_label(), "Báo cáo lên tỉnh")
    on_year(page, j.registering)
    form = form_with(page, "Gửi báo cáo")
    form.locator("textarea").fill("Đã nhắc các đơn vị chưa đăng ký")
    press(page, "Gửi báo cáo", within=form)
    assert f"Đã gửi báo cáo của {j.name(j.upper)}" in success(page)
    j.shoot(page, "can-bo-gui-bao-cao")
    report = j.app.workbook().upper_report(j.registering.id, j.upper)
    assert report is not None and report.note == "Đã nhắc các đơn vị chưa đăng ký"

    saved = download(page, "Tải báo cáo (.xlsx)", tmp_path)
    cells = cells_of(saved)
    assert j.name(j.upper) in " ".join(cells)
    assert str(report.total_units) in cells
    j.did(NEW_OFFICER[1], "Gửi báo cáo lên tỉnh")


def step_the_officer_assesses_a_unit_and_records_its_recognition(journey, browser_page, tmp_path):
    j, page = journey, browser_page
    unit_id = j.to_assess
    unit = j.name(unit_id)

    def official():
        return [
            a
            for a in j.app.workbook().assessments.values()
            if (a.cycle_id, a.unit_id, a.assessor) == (j.assessing.id, unit_id, Assessor.UPPER)
        ]

    as_person(page, j, new_officer_label(), "Đánh giá")
    on_year(page, j.assessing)
    choose(page, "Đơn vị", unit)
    form = form_with(page, "Lưu nháp")
    fill_assessment(page, form)
    press(page, "Lưu nháp", within=form)
    assert "Đã lưu nháp" in success(page)
    assert [a.state for a in official()] == [AssessmentState.DRAFT]
    j.shoot(page, "can-bo-luu-nhap-danh-gia")

    press(page, "Gửi đánh giá", within=form_with(page, "Gửi đánh giá"))
    assert "Đã gửi đánh giá" in success(page)
    assert [a.state for a in official()] == [AssessmentState.SUBMITTED]
    j.shoot(page, "can-bo-gui-danh-gia")
    j.did(NEW_OFFICER[1], "Lưu nháp đánh giá", "Gửi đánh giá")

    open_screen(page, "Quyết định công nhận")
    on_year(page, j.assessing)
    shows(page, "Đơn vị đạt, chưa được công nhận")
    form = form_with(page, "Ghi quyết định")
    form.get_by_label("Số quyết định", exact=True).fill("77-QĐ/ĐTN")
    fill_day(page, "Ngày ký", j.today() - timedelta(days=1), within=form)
    form.get_by_label("Người ký", exact=True).fill("Bí thư Nguyễn Văn Thử")
    j.shoot(page, "can-bo-ghi-quyet-dinh")
    press(page, "Ghi quyết định", within=form)
    assert "Đã ghi Quyết định số 77-QĐ/ĐTN" in success(page)
    wb = j.app.workbook()
    [decision] = [d for d in wb.decisions.values() if d.number == "77-QĐ/ĐTN"]
    listed = {u.unit_id for u in wb.decision_units.values() if u.decision_id == decision.id}
    assert decision.unit_id == j.upper and unit_id in listed

    open_expander(page, "Quyết định số 77-QĐ/ĐTN")
    annex = download(page, "Tải danh sách kèm theo (.xlsx)", tmp_path)
    names = " ".join(cells_of(annex))
    assert all(wb.units[u].name in names for u in listed)
    j.shoot(page, "can-bo-tai-danh-sach-kem-theo")
    j.did(NEW_OFFICER[1], "Ghi quyết định công nhận")


# ---- province staff -------------------------------------------------------------------------


def step_province_staff_create_a_cycle_whose_past_cut_off_refuses_late_plans(journey, browser_page):
    j, page = journey, browser_page
    as_person(page, j, j.province, "Đợt đăng ký")
    year = int(page.get_by_label("Năm thực hiện", exact=True).input_value())
    assert year not in {c.year for c in j.app.workbook().cycles.values()}
    form = form_with(page, "Tạo đợt")
    if page.get_by_text("Chưa có bộ tiêu chí nào áp dụng").count():
        choose(page, "Bộ tiêu chí", "", within=form)
    cut_off = j.today() - timedelta(days=2)
    type_day(page, "Hạn đăng ký: hết ngày", cut_off, within=form)
    type_day(page, "Hạn báo cáo lên tỉnh: hết ngày", j.today() - timedelta(days=1), within=form)
    form.get_by_text(LatePolicy.REFUSE.value, exact=True).click()
    j.shoot(page, "tinh-doan-tao-chu-ky")
    press(page, "Tạo đợt", within=form)
    assert "Đã tạo đợt" in success(page)
    j.shoot(page, "tinh-doan-da-tao-chu-ky")
    [cycle] = [c for c in j.app.workbook().cycles.values() if c.year == year]
    assert cycle.late_policy is LatePolicy.REFUSE
    assert cycle.register_cutoff.date() == cut_off + timedelta(days=1)
    j.did(j.province.name, "Tạo đợt")

    # A unit that sends its plan now, after that cut-off, is refused and told why.
    as_person(page, j, j.secretary, "Đăng ký")
    on_year(page, cycle)
    form = form_with(page, "Gửi đăng ký")
    fill_plan(page, form, "20-KH/ĐTN", j.today() - timedelta(days=1))
    press(page, "Gửi đăng ký", within=form)
    refusal = page.get_by_test_id("stAlertContentError").first
    refusal.wait_for()
    assert "hạn" in refusal.inner_text()
    j.shoot(page, "bi-thu-bi-tu-choi-tre-han")
    assert registration(j, j.secretary.unit_id, cycle) is None


def step_province_staff_see_results_and_the_commendation_list(journey, browser_page, tmp_path):
    j, page = journey, browser_page
    wb = j.app.workbook()
    recognised = {
        u.unit_id for u in wb.decision_units.values() if u.cycle_id == j.assessing.id and u.listed
    }
    as_person(page, j, j.province, "Kết quả công nhận")
    on_year(page, j.assessing)
    metric = page.get_by_test_id("stMetric").filter(has_text="Được công nhận")
    assert int(metric.get_by_test_id("stMetricValue").inner_text()) == len(recognised)
    choose(page, "Chọn đơn vị (gõ tên để tìm)", j.name(j.to_assess))
    shows(page, "Số năm được công nhận")
    history = table_rows(page, table_after(page, "Lịch sử của một đơn vị"))
    assert any("77-QĐ/ĐTN" in " ".join(row.values()) for row in history), history
    j.shoot(page, "tinh-doan-ket-qua")

    open_screen(page, "Tuyên dương")
    count = commended(page)
    j.shoot(page, "tinh-doan-tuyen-duong")
    if not count:  # the term open now: a year of it has no decision yet, and the page says so
        shows(page, "Chưa có đơn vị nào được công nhận trong tất cả các năm này")
        # Province staff look through the other terms for one with units to commend.
        for term in options(page, "Nhiệm kỳ"):
            choose(page, "Nhiệm kỳ", term)
            if count := commended(page):
                break
        assert count, "no term has a unit recognised in every year counted"
        j.shoot(page, "tinh-doan-tuyen-duong-nhiem-ky-khac")
    shown = {row["Tên đơn vị"] for row in table_rows(page)}
    assert len(shown) == count
    listed = download(page, "Tải danh sách đề nghị tuyên dương (.xlsx)", tmp_path)
    names = " ".join(cells_of(listed))
    assert all(name in names for name in shown)


def commended(page) -> int:
    """The number of units the commendation screen proposes, as it shows it (none when it shows
    no count: a term with no year assessed yet)."""
    metric = page.get_by_test_id("stMetric").filter(has_text="Số đơn vị đề nghị tuyên dương")
    if not metric.count():
        shows(page, "nên chưa có đơn vị để xét")
        return 0
    return int(metric.get_by_test_id("stMetricValue").inner_text())


def step_the_audit_log_shows_every_action_above(journey, browser_page):
    j, page = journey, browser_page
    assert j.actions, "the journey before this test did nothing"
    as_person(page, j, j.province, "Nhật ký")
    stored = j.app.workbook_rows("audit_log")
    for person, actions in j.actions.items():
        field = page.get_by_label("Người thực hiện", exact=True)
        field.fill(person)
        field.press("Enter")
        settled(page)
        seen = set()
        for number in range(1, 20):  # every page of the log, newest first
            shows(page, f"Trang {number} ·")
            rows = table_rows(page)
            for _ in range(10):  # the table redraws the filtered rows a moment after the run
                if rows and all(person in row["Người thực hiện"] for row in rows):
                    break
                settled(page)
                rows = table_rows(page)
            assert rows and all(person in row["Người thực hiện"] for row in rows)
            seen |= {row["Thao tác"] for row in rows}
            older = page.get_by_role("button", name="Trang sau (cũ hơn) →")
            if older.is_disabled():
                break
            press(page, "Trang sau (cũ hơn) →")
        j.shoot(page, "nhat-ky")
        in_store = {r["action"] for r in stored if person in r["actor"]}
        assert seen == in_store, (person, seen ^ in_store)
        assert actions <= seen, (person, actions - seen)


# ---- viewer ---------------------------------------------------------------------------------


def step_a_viewer_sees_but_cannot_change_or_reach_other_screens(journey, browser_page):
    j, page = journey, browser_page
    before = j.app.workbook_rows("audit_log")
    start(page, j.app.url)
    sign_in_as(page, label(j.viewer))
    titles = screen_titles(page)
    assert titles == ["Trang chủ", "Tổng hợp", "Kết quả công nhận", "Đơn vị"]
    for title in titles:
        open_screen(page, title)
        j.shoot(page, f"nguoi-xem-{title}")
        assert page.get_by_test_id("stForm").count() == 0
        assert page.get_by_test_id("stBaseButton-primary").count() == 0
        assert page.get_by_test_id("stBaseButton-secondaryFormSubmit").count() == 0
    # Typing another screen's address (the demo keeps the chosen person in the query) shows a
    # refusal instead of the screen.
    query = urlsplit(page.url).query
    for path in sorted(set(SCREENS) - set(BY_ROLE[Role.VIEWER])):
        page.goto(f"{j.app.url.rstrip('/')}/{path}?{query}")
        shows(page, "Màn hình này không dành cho vai trò của bạn")
        assert page.get_by_role("heading", name=SCREENS[path][1], exact=True).count() == 0
        assert page.get_by_test_id("stForm").count() == 0
        picker = sidebar(page).get_by_test_id("stSelectbox").locator("input")
        assert picker.input_value() == label(j.viewer)  # still the viewer
    j.shoot(page, "nguoi-xem-bi-tu-choi")
    assert j.app.workbook_rows("audit_log") == before


STEPS = [
    step_province_staff_add_a_unit_and_give_its_secretary_and_an_officer_access,
    step_the_new_unit_s_secretary_registers,
    step_a_secretary_registers_resends_and_fixes_a_returned_plan,
    step_the_secretary_assesses_their_own_unit,
    step_an_officer_follows_up_extends_enters_a_paper_plan_accepts_and_returns,
    step_the_officer_sends_the_roll_up_report_and_downloads_it,
    step_the_officer_assesses_a_unit_and_records_its_recognition,
    step_province_staff_create_a_cycle_whose_past_cut_off_refuses_late_plans,
    step_province_staff_see_results_and_the_commendation_list,
    step_the_audit_log_shows_every_action_above,
    step_a_viewer_sees_but_cannot_change_or_reach_other_screens,
]


@pytest.mark.timeout(900)  # eleven steps of four roles in one test: longer than one screen's test
def test_a_year_of_work_by_every_role_in_the_browser(journey, browser_page, tmp_path):
    given = {"journey": journey, "browser_page": browser_page, "tmp_path": tmp_path}
    for step in STEPS:
        wanted = step.__code__.co_varnames[: step.__code__.co_argcount]
        step(**{name: given[name] for name in wanted})
