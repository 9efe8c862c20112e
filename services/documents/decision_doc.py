"""Quyết định công nhận Đoàn cơ sở đạt chuẩn "3 chủ động": for a recorded decision, and as a draft
from the units that passed before anyone signs (docs/documents.md)."""

from __future__ import annotations

from datetime import date

from schemas.vntext import sort_key
from services.core.access import Actor, scope
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.documents import common, words
from services.documents.model import Block, Document, Para, Table
from services.documents.texts import DECISION, Texts, with_signer
from services.registration.cycles import get_cycle
from services.year_end.decision_lists import ANNEX_HEADER, decision_of, result_words
from services.year_end.decisions import eligible_units

QUOTE = "\u201c3 chủ động\u201d"


def decision_document(rt: Runtime, actor: Actor, decision_id: str, texts: Texts) -> Document:
    """A recorded decision: its number, day signed, signer and listed units, in the Đoàn's form.

    Someone who sees the decision only through units in their scope gets an extract listing
    those units, marked as such."""
    view = decision_of(rt, actor, decision_id)
    wb = rt.workbook()
    decision = view.decision
    units = view.units
    extract = decision.unit_id not in scope(wb, actor)
    if extract:
        visible = scope(wb, actor)
        units = [u for u in units if u.row.unit_id in visible]
    rows = [(n, u.unit_name, u.upper_name, u.kind, u.result) for n, u in enumerate(units, 1)]
    year = get_cycle(wb, decision.cycle_id).year
    return _document(
        wb,
        decision.unit_id,
        year,
        with_signer(texts, decision.signer),  # the signer recorded is who signed
        number=decision.number,
        signed_on=decision.signed_on,
        rows=rows,
        stem=f"quyet-dinh-{common.slug(decision.number)}",
        extract=extract,
    )


def draft_decision(
    rt: Runtime, actor: Actor, cycle_id: str, issuer_id: str, texts: Texts
) -> Document:
    """The draft of a decision: the units assessed đạt and not yet recognised, number and day left
    blank for the officer to fill in after signing."""
    eligible = eligible_units(rt, actor, cycle_id, issuer_id)
    wb = rt.workbook()
    eligible = sorted(eligible, key=lambda e: sort_key(e.unit.name))
    rows = [
        (n, e.unit.name, e.upper_name, e.unit.kind.value, result_words(e.outcome))
        for n, e in enumerate(eligible, 1)
    ]
    year = get_cycle(wb, cycle_id).year
    stem = f"du-thao-quyet-dinh-{cycle_id}-{issuer_id}".lower()
    return _document(wb, issuer_id, year, texts, None, None, rows, stem, extract=False)


def _document(
    wb: Workbook,
    issuer_id: str,
    year: int,
    texts: Texts,
    number: str | None,
    signed_on: date | None,
    rows: list[tuple],
    stem: str,
    extract: bool,
) -> Document:
    issuer = wb.units[issuer_id]
    full_number = common.full_number(number, texts.symbol)
    standing = f"Ban Thường vụ {issuer.name}"
    body = _articles(standing, texts, len(rows), year)
    reference = (
        f"(Kèm theo Quyết định số {full_number} {words.day_in_words(signed_on)} của {standing})"
    )
    annex: list[Block] = [
        Para("DANH SÁCH", "heading"),
        Para(f"Đoàn cơ sở đạt chuẩn {QUOTE} năm {year}", "heading"),
        Para(reference, "note"),
    ]
    if extract:
        annex.append(Para("(Trích: chỉ gồm các đơn vị thuộc phạm vi của bạn)", "note"))
    annex.append(Table(ANNEX_HEADER, rows, (1.2, 5.5, 4.0, 2.5, 3.3)))
    fields = common.fields(
        wb,
        issuer_id,
        texts,
        number,
        signed_on,
        "QUYẾT ĐỊNH",
        f"Về việc công nhận Đoàn cơ sở đạt chuẩn {QUOTE} năm {year}",
    )
    about = [
        ("Số quyết định", full_number),
        ("Ngày ký", signed_on.strftime("%d/%m/%Y") if signed_on else ""),
        ("Đơn vị ra quyết định", issuer.name),
        ("Năm", year),
        ("Số đơn vị được công nhận", len(rows)),
    ]
    return Document(
        DECISION,
        stem,
        fields,
        body,
        annex,
        [("Danh sách công nhận", ANNEX_HEADER, rows), ("Quyết định", ("Mục", "Giá trị"), about)],
    )


def _articles(standing: str, texts: Texts, count: int, year: int) -> list[Para]:
    """The authority, the grounds, 'QUYẾT ĐỊNH:' and the three articles."""
    return [
        Para(standing.upper(), "heading"),
        *(Para(line, italic=True) for line in texts.grounds.splitlines() if line.strip()),
        Para("QUYẾT ĐỊNH:", "heading"),
        Para(
            f"Điều 1. Công nhận {words.number(count)} đoàn cơ sở đạt chuẩn {QUOTE} "
            f"năm {year} (có danh sách kèm theo).",
            "article",
        ),
        Para(
            "Điều 2. Các đơn vị được công nhận tiếp tục duy trì, nâng cao chất lượng hoạt động; "
            "kết quả công nhận là căn cứ đánh giá, xếp loại tổ chức cơ sở đoàn hằng năm.",
            "article",
        ),
        Para(
            "Điều 3. Văn phòng, các ban chuyên môn và các đơn vị có tên tại Điều 1 căn cứ "
            "Quyết định thi hành. Quyết định có hiệu lực kể từ ngày ký./.",
            "article",
        ),
    ]
