"""Tuyên dương: the units recognised in every cycle of a term so far, with their history.

The province commends twice per term: at mid-term (the cycles up to the middle year) and at the end
(every cycle of the term). A candidate was listed on a recognition decision in each of those
cycles that exists. History follows the unit's id and shows the upper unit it had in each cycle,
so a unit that moved (the 2025 restructuring) keeps its record.

Terms are the criteria sets' periods (2018–2022, 2023–2027) unless `schemas/terms.yaml` lists
them (docs/recognition.md shows the format).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

import yaml

from schemas.criteria import CriteriaSet
from schemas.models import Cycle, RegistrationState, Unit
from schemas.vntext import sort_key
from services.core.access import Actor, scope
from services.core.errors import DomainError, InvalidInput
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.core.xlsx import workbook_bytes
from services.year_end.decisions import outcomes, recognised

TERMS_FILE = Path(__file__).resolve().parents[1] / "schemas" / "terms.yaml"


class TermsFileError(DomainError):
    """The terms file cannot be used; the message says what to fix in it."""


class Moment(StrEnum):
    MID = "Giữa nhiệm kỳ"
    END = "Cuối nhiệm kỳ"


@dataclass(frozen=True)
class Term:
    """A term of office, in cycle years (both ends included)."""

    name: str
    start: int
    end: int

    @property
    def middle(self) -> int:
        """The last year counted at mid-term: 2020 for 2018–2022."""
        return self.start + (self.end - self.start) // 2

    def last_year(self, moment: Moment) -> int:
        return self.middle if moment is Moment.MID else self.end

    def covers(self, year: int) -> bool:
        return self.start <= year <= self.end


@dataclass(frozen=True)
class CycleHistory:
    """What happened to one unit in one cycle of the term."""

    cycle_id: str
    cycle_name: str
    year: int
    upper_name: str  # the upper unit it had then
    registration: str  # "Đúng hạn", "Trễ hạn", "Trả lại để sửa", "Chưa đăng ký"
    result: str  # "Đạt", "Không đạt", "Chưa có kết quả chính thức"
    decision_number: str  # "" when not recognised
    decision_signed_on: date | None
    issuer_name: str

    @property
    def recognised(self) -> bool:
        return bool(self.decision_number)


@dataclass(frozen=True)
class Candidate:
    unit: Unit
    current_upper: str
    history: tuple[CycleHistory, ...]


@dataclass(frozen=True)
class Commendation:
    term: Term
    moment: Moment
    cycles: tuple[Cycle, ...]  # the cycles counted, oldest first
    candidates: list[Candidate]
    undecided: tuple[Cycle, ...] = ()  # counted cycles in which no unit is recognised yet


# ---- terms ------------------------------------------------------------------------------------


def default_terms(catalogue: dict[str, CriteriaSet]) -> list[Term]:
    """One term per distinct period of the criteria sets, oldest first."""
    periods = sorted({tuple(s.period) for s in catalogue.values()})
    return [Term(f"Nhiệm kỳ {a}–{b}", a, b) for a, b in periods]


def load_terms(catalogue: dict[str, CriteriaSet], path: Path = TERMS_FILE) -> list[Term]:
    """The terms file when there is one, else the criteria sets' periods."""
    if not path.exists():
        return default_terms(catalogue)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found = [Term(str(t["name"]).strip(), int(t["from"]), int(t["to"])) for t in data["terms"]]
    except (yaml.YAMLError, OSError, KeyError, TypeError, ValueError) as exc:
        raise TermsFileError(
            f"Không đọc được tệp nhiệm kỳ {path.name}: mỗi nhiệm kỳ cần có name, from, to "
            f"(ví dụ name: Nhiệm kỳ 2023–2027, from: 2023, to: 2027). Chi tiết: {exc}"
        ) from exc
    found.sort(key=lambda t: t.start)
    for term in found:
        if not term.name or term.start > term.end:
            raise TermsFileError(f"Tệp nhiệm kỳ {path.name}: nhiệm kỳ '{term.name}' không hợp lệ.")
    for earlier, later in zip(found, found[1:], strict=False):
        if later.start <= earlier.end:
            raise TermsFileError(
                f"Tệp nhiệm kỳ {path.name}: '{earlier.name}' và '{later.name}' chồng lên nhau."
            )
    return found


def terms(rt: Runtime) -> list[Term]:
    return load_terms(rt.criteria)


def current_term(rt: Runtime, choices: list[Term]) -> Term | None:
    """The term covering this year, else the latest one."""
    year = rt.clock.now().year
    return next((t for t in choices if t.covers(year)), choices[-1] if choices else None)


# ---- candidates -------------------------------------------------------------------------------


def candidates(rt: Runtime, actor: Actor, term: Term, moment: Moment) -> Commendation:
    """Units in this person's scope recognised in every existing cycle of the term up to the
    moment, with their history, in Vietnamese order. No cycle yet: nobody."""
    if term.start > term.end:
        raise InvalidInput(["Nhiệm kỳ: năm bắt đầu phải không sau năm kết thúc"])
    wb = rt.workbook()
    counted = tuple(
        sorted(
            (c for c in wb.cycles.values() if term.start <= c.year <= term.last_year(moment)),
            key=lambda c: c.year,
        )
    )
    if not counted:
        return Commendation(term, moment, counted, [])
    by_cycle = {c.id: recognised(wb, c.id) for c in counted}
    every = set.intersection(*(set(r) for r in by_cycle.values()))
    visible = scope(wb, actor)
    found = [
        Candidate(
            wb.units[uid],
            wb.unit_name(wb.units[uid].parent_id or ""),
            tuple(_history(rt, wb, c, uid, by_cycle[c.id]) for c in counted),
        )
        for uid in every
        if uid in wb.units and uid in visible
    ]
    found.sort(key=lambda c: sort_key(c.unit.name))
    undecided = tuple(c for c in counted if not by_cycle[c.id])
    return Commendation(term, moment, counted, found, undecided)


def _history(rt: Runtime, wb: Workbook, cycle: Cycle, unit_id: str, taken: dict) -> CycleHistory:
    reg = wb.registration(cycle.id, unit_id)
    outcome = outcomes(rt, cycle.id).get(unit_id)
    recognition = taken.get(unit_id)
    if reg is None:
        registration = "Chưa đăng ký"
    elif reg.state is RegistrationState.RETURNED:
        registration = reg.state.value
    else:
        registration = "Đúng hạn" if reg.on_time else "Trễ hạn"
    upper = (
        recognition.row.upper_unit_id
        if recognition and recognition.row.upper_unit_id
        else (reg.upper_unit_id if reg else "")
    )
    return CycleHistory(
        cycle.id,
        cycle.name,
        cycle.year,
        wb.unit_name(upper) if upper else "",
        registration,
        "Chưa có kết quả chính thức"
        if outcome is None
        else ("Đạt" if outcome.passed else "Không đạt"),
        recognition.decision.number if recognition else "",
        recognition.decision.signed_on if recognition else None,
        wb.unit_name(recognition.decision.unit_id) if recognition else "",
    )


def candidates_xlsx(rt: Runtime, actor: Actor, term: Term, moment: Moment) -> bytes:
    """The candidate list and each candidate's history per cycle, as .xlsx (texts as text cells)."""
    found = candidates(rt, actor, term, moment)
    listing, history = _listing_rows(found), _history_rows(found)
    years = ", ".join(str(c.year) for c in found.cycles) or "chưa có chu kỳ nào"
    about = [
        ("Nhiệm kỳ", term.name),
        ("Thời điểm", moment.value),
        ("Các năm được xét", years),
        ("Số đơn vị đề nghị tuyên dương", len(found.candidates)),
    ]
    return workbook_bytes(
        [
            (
                "Đề nghị tuyên dương",
                ("STT", "Tên đơn vị", "Loại đơn vị", "Đơn vị cấp trên hiện nay", "Quyết định"),
                listing,
            ),
            (
                "Lịch sử từng năm",
                (
                    "STT",
                    "Tên đơn vị",
                    "Năm",
                    "Đơn vị cấp trên lúc đó",
                    "Đăng ký",
                    "Kết quả đánh giá",
                    "Số quyết định",
                    "Ngày ký",
                    "Đơn vị ra quyết định",
                ),
                history,
            ),
            ("Thông tin", ("Mục", "Giá trị"), about),
        ],
        widths={"A": 8, "B": 40, "C": 16, "D": 30, "E": 60},
    )


def _listing_rows(found: Commendation) -> list[tuple]:
    """One row per candidate with the decisions that recognised it."""
    return [
        (
            n,
            c.unit.name,
            c.unit.kind.value,
            c.current_upper,
            "; ".join(
                f"{h.year}: QĐ số {h.decision_number} ngày {h.decision_signed_on:%d/%m/%Y}"
                for h in c.history
            ),
        )
        for n, c in enumerate(found.candidates, start=1)
    ]


def _history_rows(found: Commendation) -> list[tuple]:
    """One row per candidate and cycle: how that year went, under the upper unit of the time."""
    return [
        (
            n,
            c.unit.name,
            h.year,
            h.upper_name,
            h.registration,
            h.result,
            h.decision_number,
            f"{h.decision_signed_on:%d/%m/%Y}" if h.decision_signed_on else "",
            h.issuer_name,
        )
        for n, c in enumerate(found.candidates, start=1)
        for h in c.history
    ]
