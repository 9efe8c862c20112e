"""Cells of the fake Sheets API: what a cell holds, how typed text is converted, how it is shown.

What USER_ENTERED converts (in a cell whose number format is NOT plain text), and nothing else:

* ``""`` clears the cell; a JSON ``null`` leaves the cell as it was.
* ``'abc`` (leading apostrophe) is the text ``abc``.
* ``TRUE`` / ``FALSE`` (any case) become booleans, shown ``TRUE`` / ``FALSE``.
* A number in the spreadsheet's locale becomes a number: optional ``+``/``-``, digits, optional
  thousands groups, optional decimals. vi_VN (and other comma-decimal locales): ``1.200`` is 1200
  shown ``1.200`` (grouping is kept as the cell's format), ``1,5`` is 1.5 shown ``1,5``; en_US: ``1,200``
  and ``1.5``. Leading zeros are lost: ``0912345678`` is shown ``912345678``, ``007`` is ``7``. Numbers
  are shown without exponent; decimals are rounded to 10 places.
* A date becomes a date serial (days since 1899-12-30): ``yyyy-mm-dd`` everywhere, ``d/m/yyyy``
  (or ``d-m-yyyy``) in day-first locales such as vi_VN, ``m/d/yyyy`` in en_US, optionally followed
  by `` h:mm`` or `` h:mm:ss``. Shown as ``dd/mm/yyyy`` in day-first locales, ``m/d/yyyy`` in en_US,
  plus `` hh:mm:ss`` for a date-time. ``9/10/2025`` in vi_VN is shown ``09/10/2025`` (9 October).
* ``=`` followed by arithmetic on number literals (``+ - * / **``, brackets) becomes the result;
  any other formula is kept (FORMULA render shows it) and shows ``#NAME?``.
* Everything else (including ISO instants with an offset) stays text exactly as typed.

RAW stores strings as strings; JSON numbers and booleans are numbers and booleans in every mode.
A text-formatted cell stores typed strings as they are, even ``=1+1``.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

EPOCH = datetime(1899, 12, 30)

# locale -> (decimal separator, grouping separator, day first)
_LOCALES = {
    "vi_VN": (",", ".", True),
    "en_US": (".", ",", False),
    "en_GB": (".", ",", True),
    "de_DE": (",", ".", True),
    "fr_FR": (",", "\u202f", True),
}
_COMMA_DECIMAL = {"vi", "de", "es", "it", "id", "pt", "nl", "tr", "ru", "fr", "pl"}


def locale_rules(locale: str) -> tuple[str, str, bool]:
    if locale in _LOCALES:
        return _LOCALES[locale]
    if locale.split("_")[0] in _COMMA_DECIMAL:
        return (",", ".", True)
    return (".", ",", True)


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell. `kind`: empty, string, number, bool, date, datetime, error. Immutable."""

    kind: str = "empty"
    value: Any = None
    grouped: bool = False  # a number typed with thousands separators is shown with them
    formula: str | None = None
    text: bool = False  # number format TEXT ("plain text")
    # the rest of userEnteredFormat (bold, background, wrap…) as sorted JSON items; kept when a
    # value is typed or written, as in Sheets
    style: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return self.kind == "empty"

    def with_format(self, text: bool) -> Cell:
        return replace(self, text=text)

    def cleared(self) -> Cell:
        return Cell(text=self.text, style=self.style)


EMPTY = Cell()


# ----------------------------------------------------------------------------- entering values


def enter(cell: Cell, raw: Any, mode: str, locale: str) -> Cell | None:
    """The cell after `raw` is written with valueInputOption `mode`; None: leave it unchanged."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return Cell("bool", raw, text=cell.text)
    if isinstance(raw, int | float):
        return Cell("number", raw, text=cell.text)
    if isinstance(raw, list | dict):
        raise ValueError(f"Invalid value at 'data.values' ({type(raw).__name__})")
    text = str(raw)
    if text == "":
        return cell.cleared()
    if mode == "RAW" or cell.text:
        return Cell("string", text, text=cell.text)
    return convert(text, locale, text_format=cell.text)


def convert(text: str, locale: str, text_format: bool = False) -> Cell:
    """What Sheets makes of `text` typed into a cell (see the module docstring)."""
    if text_format:
        return Cell("string", text, text=True)
    if text.startswith("'"):
        return Cell("string", text[1:])
    if text.startswith("="):
        result = _arithmetic(text[1:])
        if result is None:
            return Cell("error", "#NAME?", formula=text)
        return Cell("number", result, formula=text)
    if text.upper() in ("TRUE", "FALSE"):
        return Cell("bool", text.upper() == "TRUE")
    number = _number(text.strip(), locale)
    if number is not None:
        return Cell("number", number[0], grouped=number[1])
    when = _date(text.strip(), locale)
    if when is not None:
        return when
    return Cell("string", text)


def _number(text: str, locale: str) -> tuple[int | float, bool] | None:
    dec, grp, _ = locale_rules(locale)
    d, g = re.escape(dec), re.escape(grp)
    m = re.fullmatch(rf"([+-]?)(\d{{1,3}}(?:{g}\d{{3}})+|\d+)(?:{d}(\d+))?", text)
    if not m:
        return None
    sign, whole, frac = m.groups()
    grouped = grp in whole
    digits = whole.replace(grp, "")
    value: int | float = float(f"{digits}.{frac}") if frac else int(digits)
    return (-value if sign == "-" else value), grouped


def _date(text: str, locale: str) -> Cell | None:
    _, _, day_first = locale_rules(locale)
    m = re.fullmatch(
        r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?", text
    )
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(
            r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?", text
        )
        if not m:
            return None
        a, b, y = int(m[1]), int(m[3]), int(m[4])
        d, mo = (a, b) if day_first else (b, a)
    groups = m.groups()
    hh, mm, ss = groups[-3:]
    try:
        day = datetime(y, mo, d)
        if hh is not None:
            day = day.replace(hour=int(hh), minute=int(mm), second=int(ss or 0))
    except ValueError:
        return None
    serial = (day - EPOCH) / timedelta(days=1)
    if hh is None:
        return Cell("date", int(serial))
    return Cell("datetime", serial)


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def _arithmetic(expr: str) -> int | float | None:
    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        raise ValueError("not arithmetic")

    try:
        value = ev(ast.parse(expr.strip(), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def from_cell_data(data: dict[str, Any], cell: Cell, locale: str) -> Cell:
    """A cell from a batchUpdate `CellData.userEnteredValue` (strings are never converted)."""
    uev = data.get("userEnteredValue")
    if not uev:
        return cell.cleared()
    if "stringValue" in uev:
        return Cell("string", str(uev["stringValue"]), text=cell.text)
    if "numberValue" in uev:
        return Cell("number", uev["numberValue"], text=cell.text)
    if "boolValue" in uev:
        return Cell("bool", bool(uev["boolValue"]), text=cell.text)
    if "formulaValue" in uev:
        return replace(convert(str(uev["formulaValue"]), locale), text=cell.text)
    raise ValueError(f"unsupported userEnteredValue {sorted(uev)}")


def is_text_format(data: dict[str, Any]) -> bool:
    fmt = (data.get("userEnteredFormat") or {}).get("numberFormat") or {}
    return fmt.get("type") == "TEXT"


# ----------------------------------------------------------------------------- showing values


def shown(cell: Cell, locale: str) -> str:
    """FORMATTED_VALUE of a cell."""
    if cell.kind in ("empty",):
        return ""
    if cell.kind in ("string", "error"):
        return cell.value
    if cell.kind == "bool":
        return "TRUE" if cell.value else "FALSE"
    if cell.kind == "number":
        return format_number(cell.value, locale, cell.grouped)
    day = EPOCH + timedelta(days=cell.value)
    _, _, day_first = locale_rules(locale)
    text = (
        f"{day.day:02d}/{day.month:02d}/{day.year}"
        if day_first
        else f"{day.month}/{day.day}/{day.year}"
    )
    if cell.kind == "datetime":
        text += f" {day.hour:02d}:{day.minute:02d}:{day.second:02d}"
    return text


def unformatted(cell: Cell) -> Any:
    """UNFORMATTED_VALUE of a cell (dates as serial numbers)."""
    if cell.kind == "empty":
        return ""
    if cell.kind in ("number", "date", "datetime"):
        v = cell.value
        return int(v) if isinstance(v, float) and v.is_integer() else v
    return cell.value


def rendered(cell: Cell, option: str, locale: str) -> Any:
    if option == "UNFORMATTED_VALUE":
        return unformatted(cell)
    if option == "FORMULA":
        return cell.formula if cell.formula else unformatted(cell)
    return shown(cell, locale)


def format_number(value: float, locale: str, grouped: bool = False) -> str:
    dec, grp, _ = locale_rules(locale)
    if float(value).is_integer():
        body = str(abs(int(value)))
        frac = ""
    else:
        body, _, frac = f"{abs(value):.10f}".rstrip("0").partition(".")
    if grouped:
        body = f"{int(body):,}".replace(",", grp)
    sign = "-" if value < 0 else ""
    return sign + body + (dec + frac if frac else "")


def as_date(cell: Cell) -> date | None:
    if cell.kind not in ("date", "datetime"):
        return None
    return (EPOCH + timedelta(days=cell.value)).date()


# ----------------------------------------------------------------------------- A1 notation


def col_letter(index: int) -> str:
    """0-based column index -> letters."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def quote_title(title: str) -> str:
    if _PLAIN_NAME.match(title) and not re.fullmatch(r"[A-Za-z]{1,3}\d+", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_range(text: str) -> tuple[str | None, str | None]:
    """ "'Tab'!A1:B2" -> ("Tab", "A1:B2"); "'Tab'" -> ("Tab", None); "A1:B2" -> (None, "A1:B2")."""
    text = text.strip()
    if text.startswith("'"):
        i, title = 1, []
        while i < len(text):
            if text[i] == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    title.append("'")
                    i += 2
                    continue
                break
            title.append(text[i])
            i += 1
        else:
            raise ValueError(text)
        rest = text[i + 1 :]
        if rest == "":
            return "".join(title), None
        if not rest.startswith("!"):
            raise ValueError(text)
        return "".join(title), rest[1:]
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    if _A1.fullmatch(text):
        return None, text
    return text, None


_END = r"([A-Za-z]{1,3})?([1-9]\d*)?"
_A1 = re.compile(rf"{_END}(?::{_END})?")


@dataclass(frozen=True)
class Box:
    """A 0-based half-open rectangle; None = unbounded on that side (clamped to the grid later)."""

    r0: int
    r1: int | None
    c0: int
    c1: int | None


def parse_cells(cells: str | None) -> Box:
    if not cells:
        return Box(0, None, 0, None)
    m = _A1.fullmatch(cells.strip())
    if not m or not any(m.groups()):
        raise ValueError(cells)
    ca, ra, cb, rb = m.groups()
    if ":" not in cells:  # one cell, or a whole row "5" / column "A"
        if ca and ra:
            c, r = col_index(ca), int(ra) - 1
            return Box(r, r + 1, c, c + 1)
        if ca:
            c = col_index(ca)
            return Box(0, None, c, c + 1)
        r = int(ra) - 1
        return Box(r, r + 1, 0, None)
    if not (cb or rb):
        raise ValueError(cells)
    r0 = int(ra) - 1 if ra else 0
    c0 = col_index(ca) if ca else 0
    r1 = int(rb) if rb else None
    c1 = col_index(cb) + 1 if cb else None
    if not ra and rb and not ca:  # "5:10" style needs both rows
        raise ValueError(cells)
    if (r1 is not None and r1 <= r0) or (c1 is not None and c1 <= c0):
        raise ValueError(cells)
    return Box(r0, r1, c0, c1)


def a1(title: str, r0: int, r1: int, c0: int, c1: int) -> str:
    """The A1 label Sheets gives back for rows [r0, r1) and columns [c0, c1)."""
    start = f"{col_letter(c0)}{r0 + 1}"
    end = f"{col_letter(max(c1, c0 + 1) - 1)}{max(r1, r0 + 1)}"
    cells = start if start == end else f"{start}:{end}"
    return f"{quote_title(title)}!{cells}"
