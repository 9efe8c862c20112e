"""Báo cáo and Danh sách đăng ký of an upper unit for the 15/10 roll-up, as the province received
them: the counts and the list of units frozen when the report was sent."""

from __future__ import annotations

from datetime import datetime

from schemas.cells import VN_TZ
from schemas.models import Cycle, UpperReport
from services.core.access import Actor
from services.core.errors import NotFound
from services.core.runtime import Runtime
from services.documents import common, words
from services.documents.model import Block, Document, Para, Table
from services.documents.texts import ROLLUP, Texts
from services.registration import deadlines, rollups
from services.registration.cycles import get_cycle

QUOTE = "\u201c3 chủ động\u201d"
LIST_HEADER = ("STT", "Tên đơn vị", "Số kế hoạch", "Ngày kế hoạch", "Tình trạng")
NOT_KEPT = (
    "Báo cáo này được gửi trước khi ứng dụng lưu danh sách đơn vị kèm báo cáo; "
    "chỉ có số liệu tổng hợp."
)


def rollup_document(
    rt: Runtime, actor: Actor, cycle_id: str, upper_unit_id: str, texts: Texts, listing_only=False
) -> Document:
    """The sent report (or only its list of units) of this upper unit in this cycle."""
    report = rollups.report_of(rt, actor, cycle_id, upper_unit_id)  # checks the viewer's scope
    if report is None:
        raise NotFound("Đơn vị chưa gửi báo cáo lên tỉnh trong chu kỳ này: chưa có văn bản để tải.")
    wb = rt.workbook()
    cycle = get_cycle(wb, cycle_id)
    sent_at = (report.last_sent_at or report.sent_at).astimezone(VN_TZ)
    listing = rollups.sent_list(wb, report)
    rows = [
        (
            n,
            r.unit_name,
            r.plan_number,
            r.plan_date.strftime("%d/%m/%Y") if r.plan_date else "",
            r.status,
        )
        for n, r in enumerate(listing or [], 1)
    ]
    issuer = wb.unit_name(upper_unit_id)
    figures = rollups.report_figures(report)
    list_blocks: list[Block] = (
        [Table(LIST_HEADER, rows, (1.2, 6.0, 3.2, 2.8, 3.3))]
        if listing
        else [Para(NOT_KEPT, "note")]
    )
    number_words = common.full_number(None, texts.symbol)
    reference = (
        f"(Kèm theo Báo cáo số {number_words} {words.day_in_words(sent_at.date())} của {issuer})"
    )
    listed = f"Đoàn cơ sở đăng ký xây dựng Đoàn cơ sở {QUOTE} năm {cycle.year}"
    if listing_only:
        body, annex = [Para(reference, "note"), *list_blocks], []
        type_name, stem, subject = "DANH SÁCH", "danh-sach-dang-ky", listed
    else:
        body = _report_body(texts, issuer, cycle, report, sent_at, figures)
        annex = [
            Para("DANH SÁCH", "heading"),
            Para(listed, "heading"),
            Para(reference, "note"),
            *list_blocks,
        ]
        type_name, stem = "BÁO CÁO", "bao-cao-dang-ky"
        subject = f"Kết quả đăng ký xây dựng Đoàn cơ sở {QUOTE} năm {cycle.year}"
    return Document(
        ROLLUP,
        f"{stem}-{common.slug(cycle_id)}-{common.slug(upper_unit_id)}",
        common.fields(wb, upper_unit_id, texts, None, sent_at.date(), type_name, subject),
        body,
        annex,
        [("Danh sách đăng ký", LIST_HEADER, rows), ("Báo cáo", ("Mục", "Giá trị"), figures)],
    )


def _report_body(
    texts: Texts,
    issuer: str,
    cycle: Cycle,
    report: UpperReport,
    sent_at: datetime,
    figures: list[tuple[str, int]],
) -> list[Block]:
    """The grounds, the counts as frozen when sent, the deadlines and the note."""
    return [
        *(Para(line) for line in texts.grounds.splitlines() if line.strip()),
        Para(
            f"{issuer} báo cáo kết quả đăng ký xây dựng Đoàn cơ sở {QUOTE} năm {cycle.year} "
            f"của các đoàn cơ sở trực thuộc (số liệu chốt lúc {sent_at:%H:%M ngày %d/%m/%Y}) "
            "như sau:"
        ),
        Table(("Nội dung", "Số đơn vị"), [(k, words.number(v)) for k, v in figures], (10, 4)),
        Para(
            f"Hạn đăng ký: {deadlines.cutoff_words(cycle.register_cutoff)}; hạn báo cáo lên "
            f"tỉnh: {deadlines.cutoff_words(cycle.report_cutoff)}. Báo cáo gửi "
            f"{'đúng hạn' if report.on_time else 'trễ hạn'}."
        ),
        *([Para(f"Ghi chú: {report.note}")] if report.note else []),
        Para("(Có danh sách các đơn vị kèm theo)", "note"),
    ]
