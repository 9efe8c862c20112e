"""Danh sách đề nghị tuyên dương for a term: the units recognised every year counted, each with its
history (upper unit then, registration, result, decision) — the units the viewer may see."""

from __future__ import annotations

from services.core.access import Actor
from services.core.runtime import Runtime
from services.documents import common, words
from services.documents.model import Block, Document, Para, Table
from services.documents.texts import COMMENDATION, Texts
from services.year_end.commendation import Moment, Term, candidates

QUOTE = "\u201c3 chủ động\u201d"
HEADER = ("STT", "Tên đơn vị", "Đơn vị cấp trên", "Quá trình từng năm")
HISTORY_HEADER = (
    "STT",
    "Tên đơn vị",
    "Năm",
    "Đơn vị cấp trên lúc đó",
    "Đăng ký",
    "Kết quả đánh giá",
    "Số quyết định",
    "Ngày ký",
)


def commendation_document(
    rt: Runtime, actor: Actor, term: Term, moment: Moment, issuer_id: str, texts: Texts
) -> Document:
    found = candidates(rt, actor, term, moment)
    wb = rt.workbook()
    rows = []
    history = []
    for n, c in enumerate(found.candidates, 1):
        lines = [
            f"{h.year}: {h.registration.lower()}, {h.result.lower()}, QĐ số {h.decision_number} "
            f"ngày {h.decision_signed_on:%d/%m/%Y} ({h.issuer_name})"
            for h in c.history
        ]
        rows.append((n, c.unit.name, c.current_upper, "\n".join(lines)))
        history += [
            (
                n,
                c.unit.name,
                h.year,
                h.upper_name,
                h.registration,
                h.result,
                h.decision_number,
                f"{h.decision_signed_on:%d/%m/%Y}" if h.decision_signed_on else "",
            )
            for h in c.history
        ]
    years = ", ".join(str(c.year) for c in found.cycles) or "chưa có năm nào"
    body: list[Block] = [
        *(Para(line) for line in texts.grounds.splitlines() if line.strip()),
        Para(
            f"{wb.unit_name(issuer_id)} đề nghị tuyên dương {words.number(len(rows))} đoàn cơ sở "
            f"được công nhận đạt chuẩn {QUOTE} tất cả các năm {years} của {term.name} "
            f"({moment.value.lower()}):"
        ),
        Table(HEADER, rows, (1.2, 5.0, 4.0, 6.3)),
    ]
    if found.undecided:
        body.append(
            Para(
                "Lưu ý: chưa có quyết định công nhận nào của năm "
                + ", ".join(str(c.year) for c in found.undecided),
                italic=True,
            )
        )
    subject = f"Đề nghị tuyên dương Đoàn cơ sở {QUOTE} {term.name}"
    return Document(
        COMMENDATION,
        f"de-nghi-tuyen-duong-{common.slug(term.name)}",
        common.fields(wb, issuer_id, texts, None, rt.clock.now().date(), "DANH SÁCH", subject),
        body,
        [],
        [("Đề nghị tuyên dương", HEADER, rows), ("Lịch sử từng năm", HISTORY_HEADER, history)],
    )
