"""The document panel the screens share: the texts an officer may edit (remembered per issuing
unit), and the .docx, .xlsx and PDF downloads of a document built by services.documents."""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st

from pages import _ui
from services.core.access import Actor
from services.core.runtime import Runtime
from services.documents import pdf, render
from services.documents import texts as doc_texts
from services.documents.model import Document
from services.documents.settings import document_settings

LABELS = {
    "place": "Địa danh (dòng ngày tháng)",
    "symbol": "Ký hiệu sau số văn bản",
    "grounds": "Căn cứ (mỗi dòng một căn cứ)",
    "recipients": "Nơi nhận (mỗi dòng một nơi)",
    "authority": "Thẩm quyền ký (TM. …, KT. …)",
    "signer_title": "Chức vụ người ký",
    "signer_name": "Họ tên người ký",
}
MULTI_LINE = ("grounds", "recipients")


def panel(
    rt: Runtime,
    me: Actor,
    kind: str,
    issuer_id: str,
    build: Callable[[doc_texts.Texts], Document],
    key: str,
) -> None:
    """Edit the texts, then download the document built with them. All in one block, so what
    comes and goes in it (a PDF's link, a save's message) moves nothing the screen draws after."""
    with st.container():
        if doc_texts.may_edit(rt, me, issuer_id):
            saved = doc_texts.texts_for(rt, me, issuer_id, kind)
            edited = _texts_form(rt, me, kind, issuer_id, saved, key)
        else:  # a decision seen through units in one's scope: the issuer's texts, not editable
            edited = doc_texts.issuer_texts(rt, issuer_id, kind)
        document = _ui.attempt(lambda: build(edited))
        if document is None:
            return
        settings = document_settings(_ui._secrets(), os.environ)
        docx = render.docx_bytes(document, settings.templates)
        left, middle, right = st.columns(3)
        left.download_button(
            "Tải văn bản (.docx)",
            data=docx,
            file_name=f"{document.file_stem}.docx",
            mime=render.DOCX,
            icon=":material/description:",
            on_click="ignore",
            key=f"{key}-docx",
        )
        if document.sheets:
            middle.download_button(
                "Tải bảng (.xlsx)",
                data=render.xlsx_bytes(document),
                file_name=f"{document.file_stem}.xlsx",
                mime=render.XLSX,
                icon=":material/table:",
                on_click="ignore",
                key=f"{key}-xlsx",
            )
        _pdf(right, docx, document.file_stem, settings.soffice, key)


def _pdf(column, docx: bytes, stem: str, soffice: str, key: str) -> None:
    if not column.button("Tạo bản PDF", icon=":material/picture_as_pdf:", key=f"{key}-pdf"):
        return
    if pdf.converter(soffice) is None:
        st.info(pdf.INSTALL_HINT)
        return
    try:
        with st.spinner("Đang chuyển sang PDF…"):
            data = pdf.to_pdf(docx, soffice)
    except pdf.PdfUnavailable as exc:
        st.error(_ui.plain(str(exc)))
        return
    st.download_button(
        "Tải bản PDF",
        data=data,
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}-pdf-file",
    )


def _texts_form(
    rt: Runtime, me: Actor, kind: str, issuer_id: str, saved: doc_texts.Texts, key: str
) -> doc_texts.Texts:
    """The texts as the officer last typed them in this session (saved ones to begin with)."""
    form = f"{key}-texts-{issuer_id}"
    current = st.session_state.get(form, saved)
    if not st.toggle("Sửa nội dung văn bản: căn cứ, nơi nhận, người ký", key=f"{form}-open"):
        return current
    folder = document_settings(_ui._secrets(), os.environ).templates
    st.download_button(
        "Tải mẫu văn bản đang dùng (.docx)",
        data=render.template_path(kind, folder).read_bytes(),
        file_name=f"mau-{kind}.docx",
        mime=render.DOCX,
        help="Mẫu theo thể thức văn bản của Đoàn; tỉnh có thể thay bằng mẫu của mình "
        "(xem hướng dẫn: các trường {{...}} được ứng dụng điền).",
        on_click="ignore",
        key=f"{form}-template",
    )
    with st.form(form + "-form", enter_to_submit=False):
        values = {
            name: text_box(name, label, getattr(current, name), f"{form}-{name}")
            for name, label in LABELS.items()
        }
        st.caption(
            "Các nội dung này ứng dụng không tự biết: hãy xem lại trước khi tải. "
            "“Lưu làm mặc định” để lần sau đơn vị dùng lại."
        )
        use = st.form_submit_button("Dùng cho văn bản")
        keep = st.form_submit_button("Lưu làm mặc định", type="primary")
    if use or keep:
        current = doc_texts.Texts(**values)
        st.session_state[form] = current
    if keep:
        done = _ui.attempt(
            lambda: doc_texts.save_texts(rt, me, issuer_id, kind, current, _ui.request_key(form)),
            form=form,
        )
        if done is not None:
            st.success("Đã lưu nội dung văn bản làm mặc định của đơn vị.")
    return current


def text_box(name: str, label: str, value: str, key: str) -> str:
    """One editable text of a document: several lines where the text has them."""
    if name in MULTI_LINE:
        return st.text_area(label, value=value, key=key, max_chars=doc_texts.LIMIT)
    return st.text_input(label, value=value, key=key, max_chars=doc_texts.LIMIT)
