"""The review's low findings, one behaviour each."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pages import _ui
from services.core.access import Role
from services.core.errors import InvalidInput
from services.core.records import new_request_key
from services.data import audit_log
from services.people import units, users
from services.people.users import SignInRefused
from services.registration import cycles
from tests.support.builders import COMPANY_2, OFFICER_BLOC
from tests.support.cycles import new_cycle  # noqa: F401 - a fixture
from tests.support.world import unit_id


def test_only_a_unit_without_an_upper_unit_can_be_a_tinh_doan(rt, people):
    root = rt.workbook().root_ids()[0]
    form = {"name": "Tỉnh đoàn Thứ Hai", "kind": "Tỉnh đoàn", "parent_id": root}
    with pytest.raises(InvalidInput, match="Loại đơn vị: chỉ đơn vị cấp cao nhất"):
        units.add_unit(rt, people[Role.PROVINCE], form, new_request_key())
    upper = unit_id(rt, OFFICER_BLOC)
    form = {"name": "Tỉnh đoàn Giả", "kind": "Tỉnh đoàn", "parent_id": upper}
    with pytest.raises(InvalidInput, match="Loại đơn vị"):
        units.add_unit(rt, people[Role.UPPER], form, new_request_key())


def test_audit_rows_about_users_are_shown_to_province_staff_only(rt, people):
    added = users.add_user(
        rt,
        people[Role.PROVINCE],
        {
            "email": "bithu.moi@mau.example",
            "name": "Bí thư Mới",
            "role": "Bí thư Đoàn cơ sở",
            "unit_id": unit_id(rt, COMPANY_2),
        },
        new_request_key(),
    )

    def seen(who) -> list[str]:
        return [line.entry.record_id for line in audit_log.entries(rt, who, page_size=500).lines]

    assert added.id in seen(people[Role.PROVINCE])
    assert added.id not in seen(people[Role.UPPER])


def test_an_identity_whose_e_mail_the_provider_did_not_verify_is_refused(rt):
    with pytest.raises(SignInRefused, match="chưa được nhà cung cấp đăng nhập xác minh"):
        users.resolve(rt, "tinhdoan@mau.example", verified=False)
    assert users.resolve(rt, "tinhdoan@mau.example").role is Role.PROVINCE


@pytest.mark.parametrize(
    "text", ["www.x.vn", "http://x.vn", "a@b.vn", ":material/home:", ":streamlit:", "&amp; &#60;"]
)
def test_links_shortcodes_and_entities_are_escaped_in_user_text(text):
    shown = _ui.plain(text)
    for ch in ":@&.":
        assert shown.count(f"\\{ch}") == text.count(ch)


def test_a_cycle_name_has_a_length_limit(rt, people):
    draft = replace(cycles.draft_for(rt, 2031), name="Năm " + "x" * 300)
    with pytest.raises(InvalidInput, match="Tên đợt: quá dài"):
        cycles.save_cycle(rt, people[Role.PROVINCE], draft, new_request_key())


def test_a_paper_plan_cannot_be_received_before_it_was_written(rt, people, new_cycle):  # noqa: F811
    from datetime import date

    from services.registration import plans
    from tests.support.builders import plan

    cycle = new_cycle()
    with pytest.raises(InvalidInput, match="Ngày nhận bản giấy: không được trước Ngày kế hoạch"):
        plans.register_plan(
            rt,
            people[Role.UPPER],
            cycle,
            unit_id(rt, COMPANY_2),
            plan(plan_date="20/11/2026"),
            new_request_key(),
            received_on=date(2020, 1, 1),
        )
    assert rt.workbook().registration(cycle, unit_id(rt, COMPANY_2)) is None


def test_audit_rows_that_came_in_an_import_are_shown_as_imported(rt, people, tmp_path):
    from schemas.criteria import load_catalogue
    from services.core.clock import FixedClock
    from services.core.runtime import Runtime
    from services.data import transfer
    from services.storage.cache import CachedStore
    from services.storage.sql import SqlStore
    from tests.support.world import NOW

    me = people[Role.PROVINCE]
    upload = transfer.read_workbook(transfer.export_xlsx(rt.store, me), "du-lieu.xlsx")
    target = Runtime(
        CachedStore(SqlStore.at_path(tmp_path / "new.sqlite")), FixedClock(NOW), load_catalogue()
    )
    transfer.import_workbook(target.store, me, upload, NOW)
    lines = audit_log.entries(target, me, page_size=500).lines
    from_file = {row.cells["id"] for row in upload.rows["audit_log"]}
    assert from_file and {ln.entry.id for ln in lines if ln.imported} == from_file
    assert all(ln.entry.action == "Nhập dữ liệu" for ln in lines if not ln.imported)
