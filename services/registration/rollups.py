"""Báo cáo lên tỉnh: an upper unit sends the province its units' registration counts, frozen then."""

from __future__ import annotations

from dataclasses import dataclass

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.models import RegistrationState, UpperReport, UpperReportUnit
from schemas.vntext import sort_key
from services.core import records
from services.core.access import Actor, Role, ensure_can_view, scope
from services.core.errors import AccessDenied, NotAllowed, NotFound
from services.core.forms import free_text
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.core.xlsx import workbook_bytes
from services.registration import deadlines
from services.registration.cycles import get_cycle
from services.registration.status import (
    LATE,
    NEEDS_CHECK,
    NOT_YET,
    ON_TIME,
    RETURNED,
    unit_status,
)
from services.storage import Append


@dataclass(frozen=True)
class RollupCounts:
    total_units: int
    registered_on_time: int
    registered_late: int
    returned: int
    not_registered: int
    accepted: int
    needs_check: int


def reporting_units(rt: Runtime, actor: Actor) -> list[str]:
    """Upper units this person may send a roll-up for (their own; any, for province staff)."""
    wb = rt.workbook()
    candidates = scope(wb, actor) if actor.role is Role.PROVINCE else {actor.unit_id}
    return [
        u
        for u in candidates
        if u in wb.units
        and wb.units[u].parent_id
        and not wb.units[u].kind.is_grassroots
        and actor.role in (Role.PROVINCE, Role.UPPER)
    ]


def counts(wb: Workbook, cycle_id: str, upper_unit_id: str) -> RollupCounts:
    """Registration counts of the grassroots units below an upper unit, as they are right now."""
    cycle = get_cycle(wb, cycle_id)
    units = wb.grassroots(wb.subtree(upper_unit_id))
    statuses = [unit_status(wb, cycle, u) for u in units]
    accepted = sum(
        1
        for u in units
        if (r := wb.registration(cycle_id, u.id)) and r.state is RegistrationState.ACCEPTED
    )
    return RollupCounts(
        len(units),
        statuses.count(ON_TIME),
        statuses.count(LATE),
        statuses.count(RETURNED),
        statuses.count(NOT_YET),
        accepted,
        statuses.count(NEEDS_CHECK),
    )


def preview(rt: Runtime, actor: Actor, cycle_id: str, upper_unit_id: str) -> RollupCounts:
    wb = rt.workbook()
    ensure_can_view(wb, actor, upper_unit_id)
    return counts(wb, cycle_id, upper_unit_id)


def send_rollup(
    rt: Runtime, actor: Actor, cycle_id: str, upper_unit_id: str, note: str, request_key: str
) -> UpperReport:
    """Freeze the counts now and send them up. Sending again updates the figures; on time stays."""
    if upper_unit_id not in reporting_units(rt, actor):
        raise AccessDenied("Bạn chỉ gửi được báo cáo của đơn vị mình.")
    with rt.store.serialised():
        wb = rt.workbook()
        cycle = get_cycle(wb, cycle_id)
        now = rt.clock.now()
        figures = counts(wb, cycle_id, upper_unit_id)
        cells = {
            **{k: str(v) for k, v in figures.__dict__.items()},
            "note": free_text(note, "Ghi chú", 2000),
            "sent_by": actor.label,
            "last_sent_at": iso(now),
        }
        existing = wb.upper_report(cycle_id, upper_unit_id)
        if existing is not None:
            version = int(existing.version or 0) + 1
            listing = _frozen_list(wb, cycle_id, upper_unit_id, existing.id, version, request_key)
            rt.store.apply(
                records.change(
                    actor, now, "Gửi lại báo cáo lên tỉnh", existing, cells, request_key, listing
                )
            )
            return rt.workbook().upper_reports[existing.id]
        rec_id = records.record_id(tabs.UPPER_REPORTS.name, request_key)
        if rec_id in wb.upper_reports:  # only another unit's report can hold this id here
            raise NotAllowed(records.KEY_USED)
        cells.update(
            {
                "id": rec_id,
                "cycle_id": cycle_id,
                "unit_id": upper_unit_id,
                "parent_unit_id": wb.units[upper_unit_id].parent_id or "",
                "sent_at": iso(now),
                "on_time": to_cell(deadlines.is_on_time(now, cycle.report_cutoff)),
                "version": "1",
                "updated_at": iso(now),
            }
        )
        rt.store.apply(
            records.create(
                actor,
                now,
                "Gửi báo cáo lên tỉnh",
                cells,
                tabs.UPPER_REPORTS.name,
                request_key,
                unique=("cycle_id", "unit_id"),
                also=_frozen_list(wb, cycle_id, upper_unit_id, rec_id, 1, request_key),
            )
        )
        return UpperReport.from_cells(cells)


def _frozen_list(
    wb: Workbook, cycle_id: str, upper_unit_id: str, report_id: str, version: int, key: str
) -> list[Append]:
    """The units of the report as they stand now, one row each, tied to this send's version."""
    cycle = get_cycle(wb, cycle_id)
    units = sorted(wb.grassroots(wb.subtree(upper_unit_id)), key=lambda u: sort_key(u.name))
    rows = []
    for n, unit in enumerate(units, start=1):
        reg = wb.registration(cycle_id, unit.id)
        rows.append(
            Append(
                tabs.UPPER_REPORT_UNITS.name,
                {
                    "id": f"{records.record_id(tabs.UPPER_REPORT_UNITS.name, key)}-{n:04d}",
                    "report_id": report_id,
                    "report_version": str(version),
                    "cycle_id": cycle_id,
                    "unit_id": unit.id,
                    "unit_name": unit.name,
                    "status": unit_status(wb, cycle, unit),
                    "plan_number": reg.plan_number if reg else "",
                    "plan_date": to_cell(reg.plan_date) if reg and reg.plan_date else "",
                    "submitted_at": iso(reg.submitted_at) if reg else "",
                },
            )
        )
    return rows


def sent_list(wb: Workbook, report: UpperReport) -> list[UpperReportUnit] | None:
    """The list of units as the province received it with the report's latest send, in the
    order sent; None for a report sent before the app kept the list."""
    version = report.version or 1
    rows = [
        r
        for r in wb.upper_report_units.values()
        if r.report_id == report.id and r.report_version == version
    ]
    if not rows:
        return None
    return sorted(rows, key=lambda r: r.id)


def report_of(rt: Runtime, actor: Actor, cycle_id: str, upper_unit_id: str) -> UpperReport | None:
    wb = rt.workbook()
    ensure_can_view(wb, actor, upper_unit_id)
    return wb.upper_report(cycle_id, upper_unit_id)


def report_xlsx(rt: Runtime, actor: Actor, report: UpperReport) -> bytes:
    """The sent report as an .xlsx file: every value a text cell, never a formula."""
    wb = rt.workbook()
    ensure_can_view(wb, actor, report.unit_id)
    if report.cycle_id not in wb.cycles:
        raise NotFound("Không tìm thấy chu kỳ của báo cáo.")
    cycle = wb.cycles[report.cycle_id]
    lines = [
        ("Đơn vị báo cáo", wb.unit_name(report.unit_id)),
        ("Gửi tới", wb.unit_name(report.parent_unit_id)),
        ("Chu kỳ", cycle.name),
        ("Hạn báo cáo", deadlines.cutoff_words(cycle.report_cutoff)),
        ("Gửi lần đầu lúc", report.sent_at.strftime("%H:%M %d/%m/%Y")),
        ("Đúng hạn", to_cell(report.on_time)),
        *report_figures(report),
        ("Ghi chú", report.note),
        ("Người gửi", report.sent_by),
    ]
    listing = sent_list(wb, report)
    units: list[tuple[int | str, str, str, str, str]] = [
        (
            n,
            r.unit_name,
            r.status,
            r.plan_number,
            r.plan_date.strftime("%d/%m/%Y") if r.plan_date else "",
        )
        for n, r in enumerate(listing or [], start=1)
    ]
    if listing is None:
        units = [("", "Báo cáo gửi trước khi ứng dụng lưu danh sách đơn vị", "", "", "")]
    return workbook_bytes(
        [
            ("Báo cáo", ("Mục", "Giá trị"), lines),
            ("Danh sách đơn vị", LIST_HEADER, units),
        ],
        widths={"A": 24, "B": 48, "C": 18, "D": 18, "E": 16},
    )


LIST_HEADER = ("STT", "Tên đơn vị", "Tình trạng đăng ký", "Số kế hoạch", "Ngày kế hoạch")


def report_figures(report: UpperReport) -> list[tuple[str, int]]:
    """The counts a roll-up froze when it was sent, named as the report and its documents show them."""
    return [
        ("Tổng số đoàn cơ sở", report.total_units),
        ("Đăng ký đúng hạn", report.registered_on_time),
        ("Đăng ký trễ hạn", report.registered_late),
        ("Trả lại để sửa", report.returned),
        ("Chưa đăng ký", report.not_registered),
        ("Đã tiếp nhận", report.accepted),
        ("Cần kiểm tra", report.needs_check),
    ]
