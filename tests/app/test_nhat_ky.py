"""Nhật ký screen through AppTest: newest first, scoped to the person's units, read only."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from services.core.access import Actor, Role
from services.core.records import audit
from services.registration import plans
from tests.support.app import app_sqlite, page_alone
from tests.support.world import NOW, PLAN, unit_id

PAGE = "pages/nhat_ky.py"
COMPANY_1, POLICE_1 = (
    "Đoàn cơ sở Công ty Mẫu 1",
    "Đoàn cơ sở Công an Mẫu 1",
)  # under two upper units


def register(rt, unit_name: str, key: str) -> str:
    """A grassroots secretary sends the plan; returns the registration's id."""
    uid = unit_id(rt, unit_name)
    # demo=True: a write through the demo picker (any other write ends demo mode on this store)
    secretary = Actor(
        f"bithu-{key}@mau.example", f"Bí thư {unit_name}", Role.SECRETARY, uid, demo=True
    )
    return plans.register_plan(rt, secretary, "CK-2027", uid, PLAN, key).reference


def table(at) -> list[dict[str, str]]:
    """The rows of the log table as shown."""
    return at.dataframe[0].value.to_dict("records")


def test_a_new_registration_appears_at_the_top_for_province_staff(open_app, app_runtime):
    at = open_app("province", PAGE)
    reference = register(app_runtime(), COMPANY_1, "dk-th")
    at.run()
    assert not at.exception and not at.error
    top = table(at)[0]
    assert top["Mã bản ghi"] == reference
    assert (top["Bảng"], top["Đơn vị"], top["Thao tác"]) == ("Đăng ký", COMPANY_1, "Gửi đăng ký")
    assert top["Người thực hiện"].startswith(f"Bí thư {COMPANY_1}")
    assert "Số kế hoạch: (trống) → 07-KH/ĐTN" in top["Thay đổi"]
    assert top["Thời điểm"] == f"{NOW:%d/%m/%Y %H:%M:%S}"


def test_the_upper_officer_sees_only_the_entries_of_its_doan_khoi(open_app, app_runtime):
    at = open_app("upper", PAGE)
    rt = app_runtime()
    mine, theirs = register(rt, COMPANY_1, "dk-th"), register(rt, POLICE_1, "dk-v")
    at.run()
    rows = table(at)
    assert [r["Mã bản ghi"] for r in rows] == [mine]
    assert theirs not in {r["Mã bản ghi"] for r in rows}
    assert POLICE_1 not in at.selectbox(key="audit_unit").options


def test_a_secretary_opening_the_log_is_refused(open_app):
    at = open_app("secretary", PAGE)
    assert not at.dataframe
    assert "không dành cho vai trò của bạn" in " ".join(w.value for w in at.warning)


def test_the_log_page_itself_refuses_a_secretary_reaching_it(tmp_path):
    """Even if the router let a secretary through, the service refusal is what the page shows."""
    secretary = Actor("bithu@mau.example", "Bí thư", Role.SECRETARY, "DV-X")
    at = page_alone(PAGE, app_sqlite(tmp_path), secretary)
    st.cache_resource.clear()
    assert not at.exception and not at.dataframe
    assert "Nhật ký chỉ dành cho" in " ".join(e.value for e in at.error).replace("\\", "")


def test_a_date_range_without_entries_says_so(open_app):
    at = open_app("province", PAGE)
    assert table(at)  # the demo seeding row is there before filtering
    at.date_input(key="audit_since").set_value(date(2027, 1, 1)).run()
    assert not at.dataframe
    assert "Không có mục nhật ký nào khớp bộ lọc" in " ".join(i.value for i in at.info)


def test_the_next_page_shows_older_entries_and_the_previous_page_comes_back(open_app, app_runtime):
    at = open_app("province", PAGE)
    rt = app_runtime()
    me = Actor("tinh@mau.example", "Cán bộ Tỉnh", Role.PROVINCE, "", demo=True)
    rt.store.apply(
        [
            audit(me, NOW + timedelta(minutes=n), "Sửa chu kỳ", "cycles", f"R-{n}", {}, {}, f"{n}")
            for n in range(1, 61)
        ]
    )
    at.run()
    assert table(at)[0]["Mã bản ghi"] == "R-60"
    at.button(key="audit_next").click().run()
    older = [r["Mã bản ghi"] for r in table(at)]
    assert older == [f"R-{n}" for n in range(10, 0, -1)] + [""]
    assert at.button(key="audit_next").disabled
    at.button(key="audit_previous").click().run()
    assert table(at)[0]["Mã bản ghi"] == "R-60"
