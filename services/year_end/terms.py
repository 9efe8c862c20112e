"""Nhiệm kỳ: the terms of office commendation counts, kept in the store by province staff.

Until a term is saved here the terms come from `schemas/terms.yaml` or the defaults
(services.year_end.commendation.load_terms). The first save copies those in as well, so saving one
term never makes the others disappear.
"""

from __future__ import annotations

from schemas import tabs
from schemas.cells import iso
from schemas.models import TermRow
from schemas.vntext import clean, name_key
from services.core import records
from services.core.access import Actor, ensure_province
from services.core.errors import InvalidInput
from services.core.runtime import Runtime
from services.year_end.commendation import Term, terms

SAVED = "Lưu nhiệm kỳ"


def save_term(
    rt: Runtime, actor: Actor, term: Term, request_key: str, loaded: TermRow | None = None
) -> list[Term]:
    """Add a term (or change `loaded`), with its mid-term year; returns the terms now in force."""
    ensure_province(actor, "sửa nhiệm kỳ")
    cells = _checked(rt, term, loaded)
    with rt.store.serialised():
        wb = rt.workbook()
        now = rt.clock.now()
        if loaded is not None:
            rt.store.apply(records.change(actor, now, SAVED, loaded, cells, request_key))
            return terms(rt)
        rec_id = records.record_id(tabs.TERMS.name, request_key)
        if rec_id in wb.terms:
            return terms(rt)
        # the first save keeps the terms in force until now
        copied = [] if wb.terms else _copied_defaults(rt, actor, request_key, term)
        new = {**cells, "id": rec_id, "version": "1", "updated_at": iso(now)}
        rt.store.apply(
            records.create(actor, now, SAVED, new, tabs.TERMS.name, request_key, also=copied)
        )
    return terms(rt)


def _checked(rt: Runtime, term: Term, loaded: TermRow | None) -> dict[str, str]:
    problems = []
    name = clean(term.name)
    if not name:
        problems.append("Tên nhiệm kỳ: bắt buộc phải nhập")
    if not 2000 <= term.start <= term.end <= 2100:
        problems.append("Đến năm: phải không trước Từ năm (trong khoảng 2000–2100)")
    if term.mid is not None and not term.start <= term.mid <= term.end:
        problems.append("Năm xét giữa nhiệm kỳ: phải nằm trong nhiệm kỳ")
    others = [t for t in terms(rt) if loaded is None or t.name != loaded.name]
    if any(name_key(t.name) == name_key(name) for t in others):
        problems.append(f"Tên nhiệm kỳ: đã có '{name}'")
    if problems:
        raise InvalidInput(problems)
    return {
        "name": name,
        "start_year": str(term.start),
        "end_year": str(term.end),
        "middle_year": "" if term.mid is None else str(term.mid),
    }


def _copied_defaults(rt: Runtime, actor: Actor, request_key: str, new: Term) -> list:
    now = rt.clock.now()
    ops = []
    for n, term in enumerate(terms(rt)):
        key = f"t{n:03d}{request_key}"
        cells = {
            "id": records.record_id(tabs.TERMS.name, key),
            "name": term.name,
            "start_year": str(term.start),
            "end_year": str(term.end),
            "middle_year": str(term.middle),
            "version": "1",
            "updated_at": iso(now),
        }
        ops += records.create(actor, now, SAVED, cells, tabs.TERMS.name, key)
    return ops


def stored_terms(rt: Runtime) -> dict[str, TermRow]:
    """The terms rows as stored, by id (empty until the first save)."""
    return dict(rt.workbook().terms)
