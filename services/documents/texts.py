"""Texts of a document the app cannot know — grounds, recipients, who signs — with defaults.

Each issuing unit's last saved texts per kind of document are remembered (tab `document_texts`);
until then the defaults below, built from the Đoàn's rules and the examples cited in
docs/documents.md (items there marked inferred), are offered for editing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from schemas import tabs
from schemas.cells import iso
from schemas.models import DocumentTexts
from services.core import records
from services.core.access import Actor
from services.core.errors import AccessDenied, InvalidInput
from services.core.forms import free_text
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.documents import words
from services.year_end.decisions import issuing_units

DECISION, ROLLUP, RESULTS, COMMENDATION = (
    "quyet_dinh_cong_nhan",
    "bao_cao_dang_ky",
    "bao_cao_ket_qua",
    "de_nghi_tuyen_duong",
)
KIND_NAMES = {
    DECISION: "Quyết định công nhận",
    ROLLUP: "Báo cáo và danh sách đăng ký",
    RESULTS: "Báo cáo kết quả",
    COMMENDATION: "Danh sách đề nghị tuyên dương",
}
LIMIT = 2000


@dataclass(frozen=True)
class Texts:
    place: str
    symbol: str  # after the number: 'QĐ/TĐTN-TCKT'
    grounds: str  # one ground per line
    recipients: str  # one recipient per line
    authority: str  # 'TM. BAN THƯỜNG VỤ'
    signer_title: str  # 'BÍ THƯ'
    signer_name: str


def defaults(wb: Workbook, issuer_id: str, kind: str) -> Texts:
    """What a new issuing unit is offered: the Đoàn's usual wording, to be checked and edited."""
    issuer = wb.units[issuer_id]
    code = words.symbol_of(issuer)
    grounds = {
        DECISION: (
            "Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;\n"
            "Căn cứ hướng dẫn xây dựng Đoàn cơ sở \u201c3 chủ động\u201d của Tỉnh đoàn;\n"
            "Căn cứ kết quả đánh giá các đoàn cơ sở;\n"
            "Xét đề nghị của Ban Tổ chức – Kiểm tra,"
        ),
        ROLLUP: "Thực hiện hướng dẫn xây dựng Đoàn cơ sở \u201c3 chủ động\u201d của Tỉnh đoàn,",
        RESULTS: "Thực hiện hướng dẫn xây dựng Đoàn cơ sở \u201c3 chủ động\u201d của Tỉnh đoàn,",
        COMMENDATION: "Căn cứ kết quả công nhận Đoàn cơ sở \u201c3 chủ động\u201d các năm trong nhiệm kỳ,",
    }[kind]
    recipients = {
        DECISION: "- Như Điều 3;\n- Lưu VP.",
        ROLLUP: "- Tỉnh đoàn (để báo cáo);\n- Lưu VP.",
        RESULTS: "- Ban Bí thư Trung ương Đoàn (để báo cáo);\n- Các đơn vị trực thuộc;\n- Lưu VP.",
        COMMENDATION: "- Như trên;\n- Lưu VP.",
    }[kind]
    symbol = {
        DECISION: f"QĐ/{code}",
        ROLLUP: f"BC/{code}",
        RESULTS: f"BC/{code}",
        COMMENDATION: f"DS/{code}",
    }[kind]
    return Texts(
        place=words.place_of(wb.unit_name(wb.root_ids()[0]) if wb.root_ids() else issuer.name),
        symbol=symbol,
        grounds=grounds,
        recipients=recipients,
        authority="TM. BAN THƯỜNG VỤ",
        signer_title="BÍ THƯ",
        signer_name="",
    )


def may_edit(rt: Runtime, actor: Actor, issuer_id: str) -> bool:
    """Whether this person writes documents for this unit (and so may change its texts)."""
    return issuer_id in issuing_units(rt, actor)


def issuer_texts(rt: Runtime, issuer_id: str, kind: str) -> Texts:
    """The issuing unit's own texts for this kind, as its documents carry them (read-only)."""
    return stored_or_default(rt.workbook(), issuer_id, kind)


def texts_for(rt: Runtime, actor: Actor, issuer_id: str, kind: str) -> Texts:
    """The texts last saved by this issuing unit for this kind, else the defaults."""
    _ensure(rt, actor, issuer_id)
    return stored_or_default(rt.workbook(), issuer_id, kind)


def stored_or_default(wb: Workbook, issuer_id: str, kind: str) -> Texts:
    """The unit's saved texts for this kind, else the defaults (they appear in its documents)."""
    saved = _saved(wb, issuer_id, kind)
    if saved is None:
        return defaults(wb, issuer_id, kind)
    return Texts(**{f: getattr(saved, f) for f in Texts.__dataclass_fields__})


def save_texts(
    rt: Runtime, actor: Actor, issuer_id: str, kind: str, texts: Texts, request_key: str
) -> Texts:
    """Remember these texts for the issuing unit (one row per unit and kind, updated in place)."""
    _ensure(rt, actor, issuer_id)
    if kind not in KIND_NAMES:
        raise InvalidInput([f"Loại văn bản không có: {kind}"])
    clean = Texts(**{k: free_text(v, k, LIMIT) for k, v in asdict(texts).items()})
    now = rt.clock.now()
    with rt.store.serialised():
        wb = rt.workbook()
        saved = _saved(wb, issuer_id, kind)
        action = f"Lưu nội dung {KIND_NAMES[kind].lower()}"
        if saved is not None:
            rt.store.apply(records.change(actor, now, action, saved, asdict(clean), request_key))
        else:
            cells = {
                "id": records.record_id(tabs.DOCUMENT_TEXTS.name, request_key),
                "unit_id": issuer_id,
                "kind": kind,
                **asdict(clean),
                "version": "1",
                "updated_at": iso(now),
            }
            rt.store.apply(
                records.create(
                    actor,
                    now,
                    action,
                    cells,
                    tabs.DOCUMENT_TEXTS.name,
                    request_key,
                    unique=("unit_id", "kind"),
                )
            )
    return clean


def with_signer(texts: Texts, name: str) -> Texts:
    """The texts with the signer a decision records, when it records one."""
    return replace(texts, signer_name=name) if name else texts


def _saved(wb: Workbook, issuer_id: str, kind: str) -> DocumentTexts | None:
    return next(
        (t for t in wb.document_texts.values() if t.unit_id == issuer_id and t.kind == kind),
        None,
    )


def _ensure(rt: Runtime, actor: Actor, issuer_id: str) -> None:
    if issuer_id not in issuing_units(rt, actor):
        raise AccessDenied(
            "Bạn chỉ soạn được văn bản của đơn vị mình "
            f"(không phải của {rt.workbook().unit_name(issuer_id)})."
        )
