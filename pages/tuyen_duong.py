"""Tuyên dương: the units recognised in every cycle of a term so far, with their history; .xlsx."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _documents, _ui
from schemas.cells import day_words
from services.core.access import Role
from services.documents import commendation_doc
from services.documents.texts import COMMENDATION
from services.year_end import commendation
from services.year_end import terms as term_store
from services.year_end.commendation import Commendation, Moment, Term

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

rt = _ui.runtime()
me = _ui.actor()
st.title("Tuyên dương")
_ui.require_tabs(rt, "tuyen_duong")
if me.role is not Role.PROVINCE:
    st.info(
        'Màn hình này dành cho cán bộ Tỉnh đoàn: xét tuyên dương Đoàn cơ sở "3 chủ động" '
        "giữa nhiệm kỳ và cuối nhiệm kỳ."
    )
    st.stop()


def terms_editor() -> None:
    """Province staff add a term (with its mid-term year) without a server: kept in the store."""
    with st.expander("Nhiệm kỳ: thêm hoặc xem các nhiệm kỳ"):
        shown = _ui.attempt(lambda: commendation.terms(rt)) or []
        st.markdown(
            "\n".join(
                f"- {_ui.plain(t.name)}: {t.start}–{t.end}, xét giữa nhiệm kỳ đến năm {t.middle}"
                for t in shown
            )
        )
        with st.form("term-form", enter_to_submit=False):
            name = st.text_input("Tên nhiệm kỳ", key="term-name", max_chars=200)
            left, middle, right = st.columns(3)
            start = left.number_input("Từ năm", 2000, 2100, 2025, key="term-start")
            end = middle.number_input("Đến năm", 2000, 2100, 2030, key="term-end")
            mid = right.number_input("Năm xét giữa nhiệm kỳ", 2000, 2100, 2027, key="term-mid")
            sent = st.form_submit_button("Lưu nhiệm kỳ")
        if sent:
            key = _ui.request_key("term-form")
            new = Term(name, int(start), int(end), int(mid))
            if _ui.attempt(lambda: term_store.save_term(rt, me, new, key), "term-form"):
                st.success(f"Đã lưu {_ui.plain(new.name)}.")


terms_editor()
choices = _ui.attempt(lambda: commendation.terms(rt))
if not choices:
    if choices is not None:
        st.info("Chưa có nhiệm kỳ nào: hãy thêm bộ tiêu chí hoặc tệp nhiệm kỳ (xem hướng dẫn).")
    st.stop()
default = commendation.current_term(rt, choices)
left, right = st.columns(2)
term: Term = left.selectbox(
    "Nhiệm kỳ",
    choices,
    index=choices.index(default) if default in choices else 0,
    format_func=lambda t: t.name,
    key="term",
)
moment: Moment = right.radio(
    "Thời điểm xét",
    list(Moment),
    format_func=lambda m: m.value,  # (labels that name the term's years changed with the term,
    horizontal=True,  # and the browser then showed neither choice as chosen)
    key="moment",
)
st.caption(f"Xét {moment.value.lower()}: tính các năm {term.start}–{term.last_year(moment)}.")


def candidate_table(found: Commendation) -> None:
    _ui.table(
        pd.DataFrame(
            [
                {
                    "STT": n,
                    "Tên đơn vị": c.unit.name,
                    "Loại đơn vị": c.unit.kind.value,
                    "Đơn vị cấp trên hiện nay": c.current_upper,
                    "Đơn vị hợp nhất": c.rule,
                    **{
                        f"Năm {h.year}": f"QĐ số {h.decision_number} ({h.issuer_name})"
                        for h in c.history
                    },
                }
                for n, c in enumerate(found.candidates, start=1)
            ]
        ),
        hide_index=True,
    )


def history_table(found: Commendation) -> None:
    _ui.table(
        pd.DataFrame(
            [
                {
                    "Tên đơn vị": c.unit.name,
                    "Năm": str(h.year),
                    "Đơn vị cấp trên lúc đó": h.upper_name,
                    "Đăng ký": h.registration,
                    "Kết quả đánh giá": h.result,
                    "Số quyết định": h.decision_number,
                    "Ngày ký": day_words(h.decision_signed_on) if h.decision_signed_on else "",
                    "Tính theo đơn vị tiền thân": h.via,
                }
                for c in found.candidates
                for h in c.history
            ]
        ),
        hide_index=True,
    )


found = _ui.attempt(lambda: commendation.candidates(rt, me, term, moment))
if found is None:
    st.stop()
if not found.cycles:
    st.info(
        f"Chưa có năm nào được đánh giá của {_ui.plain(term.name)} đến năm {term.last_year(moment)}, "
        "nên chưa có đơn vị để xét."
    )
    st.stop()
years = ", ".join(
    f"{c.year} (chưa có quyết định công nhận)" if c in found.undecided else str(c.year)
    for c in found.cycles
)
st.caption(
    f"Đơn vị được đề nghị là đơn vị được công nhận trong mọi năm đã có đợt: {years}. "
    "Lịch sử đi theo mã đơn vị, kể cả khi đơn vị đã chuyển sang Đoàn cấp trên khác."
)
st.metric("Số đơn vị đề nghị tuyên dương", len(found.candidates))
if not found.candidates:
    waiting = ", ".join(str(c.year) for c in found.undecided)
    st.info(
        "Chưa có đơn vị nào được công nhận trong tất cả các năm này."
        + (f" Năm {waiting} chưa có quyết định công nhận nào." if waiting else "")
    )
    st.stop()
candidate_table(found)
st.subheader("Lịch sử từng năm")
history_table(found)
data = _ui.attempt(lambda: commendation.candidates_xlsx(rt, me, term, moment))
if data:
    st.download_button(
        "Tải danh sách đề nghị tuyên dương (.xlsx)",
        data=data,
        mime=XLSX,
        icon=":material/download:",
        file_name=f"tuyen-duong-{term.start}-{term.end}-{'giua' if moment is Moment.MID else 'cuoi'}.xlsx",
        on_click="ignore",
    )
st.markdown("**Văn bản danh sách đề nghị tuyên dương** (thể thức văn bản của Đoàn)")
_documents.panel(
    rt,
    me,
    COMMENDATION,
    me.unit_id,
    lambda texts: commendation_doc.commendation_document(rt, me, term, moment, me.unit_id, texts),
    key=f"commendation-doc-{term.start}-{moment.name}",
)
