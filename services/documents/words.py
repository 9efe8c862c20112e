"""How documents write dates, numbers and the issuing body (thể thức văn bản của Đoàn, docs/documents.md)."""

from __future__ import annotations

from datetime import date

from schemas.models import Unit, UnitKind

BLANK = "……"  # what a draft leaves for the officer to fill in by hand


def place_date_line(place: str, day: date | None) -> str:
    """'Hưng Yên, ngày 05 tháng 12 năm 2026'; a draft without a day leaves day and month blank."""
    if day is None:
        return f"{place}, ngày {BLANK} tháng {BLANK} năm {BLANK}"
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day.year}"


def day_in_words(day: date | None) -> str:
    """'ngày 05/12/2026' as a reference to a document inside a sentence ('…' in a draft)."""
    return f"ngày {day:%d/%m/%Y}" if day else f"ngày {BLANK}"


def number(value: int | float) -> str:
    """A count or a measure with Vietnamese separators: 1.234 and 45,5."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    whole, frac = f"{value:,.1f}".split(".")
    return f"{whole.replace(',', '.')},{frac}"


def percent(share: float | None) -> str:
    """A share as a Vietnamese percentage: '66,7%'; no share yet reads '—'."""
    return "—" if share is None else f"{number(round(share * 100, 1))}%"


_BODY_PREFIXES = (
    ("tỉnh đoàn ", "BCH ĐOÀN TỈNH "),
    ("thành đoàn ", "BCH ĐOÀN THÀNH PHỐ "),
    ("huyện đoàn ", "BCH ĐOÀN HUYỆN "),
    ("thị đoàn ", "BCH ĐOÀN THỊ XÃ "),
)


def issuing_body(unit: Unit) -> str:
    """The issuing body as the header writes it: 'Tỉnh đoàn Hưng Yên' → 'BCH ĐOÀN TỈNH HƯNG YÊN'.

    Inferred from the Thành đoàn TP.HCM example (docs/documents.md); other names are uppercased.
    """
    lowered = unit.name.lower()
    for prefix, body in _BODY_PREFIXES:
        if lowered.startswith(prefix):
            return body + unit.name[len(prefix) :].upper()
    return ("BCH " + unit.name).upper()


def symbol_of(unit: Unit) -> str:
    """The issuer part of a number's symbol: TĐTN for a Tỉnh đoàn, ĐTN for the others [inferred]."""
    return "TĐTN" if unit.kind is UnitKind.TINH_DOAN else "ĐTN"


def place_of(unit_name: str) -> str:
    """The place of the date line: the issuer's locality ('Tỉnh đoàn Hưng Yên' → 'Hưng Yên')."""
    for prefix, _ in _BODY_PREFIXES:
        if unit_name.lower().startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name
