"""Báo cáo kết quả of a year: recognition per upper unit, the contents and criteria failed most,
with the charts of *Kết quả công nhận* as images; only the units the viewer may see."""

from __future__ import annotations

from services.core.access import Actor
from services.core.runtime import Runtime
from services.documents import charts, common, words
from services.documents.model import Block, Document, Image, Para, Table
from services.documents.texts import RESULTS, Texts
from services.presentation import result_charts
from services.year_end.results import CycleResults, cycle_results

QUOTE = "\u201c3 chủ động\u201d"
UPPER_HEADER = (
    "Đơn vị",
    "Số đoàn cơ sở",
    "Đã đăng ký",
    "Đã đánh giá",
    "Đạt",
    "Được công nhận",
    "Tỷ lệ",
)
FAIL_HEADER = ("Nội dung / tiêu chí", "Tên", "Số đơn vị chưa đạt", "Tỷ lệ chưa đạt")
TOP_CRITERIA = 10


def results_document(
    rt: Runtime, actor: Actor, cycle_id: str, issuer_id: str, texts: Texts, with_charts=True
) -> Document:
    """The year's results report of the issuing unit, figures from the screen's own service."""
    found = cycle_results(rt, actor, cycle_id)  # the viewer's scope
    wb = rt.workbook()
    year = found.cycle.year
    t = found.totals
    by_upper, contents, criteria = _tables(found)
    body: list[Block] = [
        *(Para(line) for line in texts.grounds.splitlines() if line.strip()),
        Para(
            f"Năm {year}, trong {words.number(t.units)} đoàn cơ sở có {words.number(t.registered)} "
            f"đơn vị đăng ký xây dựng Đoàn cơ sở {QUOTE}; {words.number(t.assessed)} đơn vị đã "
            f"được đánh giá, {words.number(t.passed)} đơn vị đạt; {words.number(t.recognised)} "
            f"đơn vị được công nhận (tỷ lệ {words.percent(t.rate)} trên số đơn vị đăng ký)."
        ),
        Para("1. Kết quả công nhận theo đơn vị cấp trên", bold=True),
        Table(UPPER_HEADER, by_upper, (5.0, 1.8, 1.8, 1.8, 1.5, 2.0, 1.6)),
    ]
    if with_charts and not found.standing.empty:
        body.append(Image(charts.png(result_charts.standing_by_upper(found)), caption="Biểu đồ 1"))
    body += [
        Para("2. Nội dung và tiêu chí chưa đạt nhiều nhất", bold=True),
        Table(FAIL_HEADER, contents + criteria, (2.2, 8.5, 2.8, 2.5)),
    ]
    if with_charts and found.criteria.shape[0]:
        body.append(
            Image(charts.png(result_charts.failing_contents(found.contents)), caption="Biểu đồ 2")
        )
        body.append(
            Image(
                charts.png(result_charts.failing_criteria(found.criteria.head(TOP_CRITERIA))),
                caption="Biểu đồ 3",
            )
        )
    subject = f"Kết quả xây dựng Đoàn cơ sở {QUOTE} năm {year}"
    return Document(
        RESULTS,
        f"bao-cao-ket-qua-{common.slug(found.cycle.id)}-{common.slug(issuer_id)}",
        common.fields(wb, issuer_id, texts, None, rt.clock.now().date(), "BÁO CÁO", subject),
        body,
        [],
        [
            ("Theo đơn vị cấp trên", UPPER_HEADER, by_upper),
            ("Chưa đạt nhiều nhất", FAIL_HEADER, contents + criteria),
        ],
    )


def _tables(found: CycleResults) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Rows per upper unit, per content and per criterion (most failed first), as printed."""
    # to_dict("records"): plain values per row (itertuples' fields are typed as any pandas scalar)
    by_upper = [
        (
            r["upper"],
            words.number(r["units"]),
            words.number(r["registered"]),
            words.number(r["assessed"]),
            words.number(r["passed"]),
            words.number(r["recognised"]),
            words.percent(None if r["rate"] != r["rate"] else r["rate"]),  # NaN: no rate yet
        )
        for r in found.by_upper.to_dict("records")
    ]
    contents = [
        (r["content"], r["title"], words.number(r["failed"]), words.percent(r["share"]))
        for r in found.contents.to_dict("records")
    ]
    criteria = [
        (r["criterion"], r["full_title"], words.number(r["failed"]), words.percent(r["share"]))
        for r in found.criteria.head(TOP_CRITERIA).to_dict("records")
    ]
    return by_upper, contents, criteria
