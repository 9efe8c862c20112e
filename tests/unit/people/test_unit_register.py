"""The unit register lists upper units with the totals of the grassroots units below them."""

from __future__ import annotations

from services.core.access import Role
from services.people import units


def test_an_upper_unit_shows_the_totals_of_its_grassroots_units(rt, people):
    lines = {line.unit.name: line for line in units.list_units(rt, people[Role.PROVINCE])}
    khoai_chau = lines["Đoàn Khối Doanh nghiệp Mẫu 2"]
    by_id = {line.unit.id: line for line in lines.values()}
    below = [by_id[uid] for uid in rt.workbook().children[khoai_chau.unit.id]]
    assert {"Đoàn cơ sở Công ty Mẫu 2", "Đoàn cơ sở Công ty Mẫu 1"} <= {
        line.unit.name for line in below
    }
    assert all(line.unit.kind.is_grassroots and line.unit.active for line in below)
    assert khoai_chau.members == sum(line.unit.members for line in below)
    assert khoai_chau.chi_doan == sum(line.unit.chi_doan for line in below)
    assert khoai_chau.unit.members is None  # the stored row itself stays empty


def test_the_province_total_counts_every_active_grassroots_unit(rt, people):
    lines = units.list_units(rt, people[Role.PROVINCE])
    root = next(line for line in lines if line.depth == 0)
    grassroots = [line.unit for line in lines if line.unit.kind.is_grassroots and line.unit.active]
    assert root.members == sum(u.members or 0 for u in grassroots)
