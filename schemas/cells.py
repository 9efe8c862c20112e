"""Reading and writing cells: every stored value is a string, read the way a Vietnamese user meant it.

A person types "1.200" (one thousand two hundred), "9/10/2025" (9 October) or "Có" in the sheet;
these parsers accept that and refuse anything ambiguous instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, ValidationError

from schemas.vntext import name_key

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


_THOUSANDS = re.compile(r"^\d{1,3}([.\s]\d{3})+$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
TRUE_WORDS = {"có", "co", "x", "true", "đúng", "1", "yes"}
FALSE_WORDS = {"không", "khong", "false", "sai", "0", "no"}


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))  # zero-width marks


def clean_id(text: str) -> str:
    """An id (or a reference to one) as every comparison sees it: NFC, zero-width marks dropped,
    surrounding spaces removed and inner runs of spaces (non-breaking ones too) made one space.

    A person who retypes "DV-0052 " in the sheet still means DV-0052; the cell is not rewritten
    (the data-health screen lists it), but every lookup finds the record.
    """
    return " ".join(unicodedata.normalize("NFC", text).translate(_INVISIBLE).split())


def is_id_field(name: str) -> bool:
    """A field holding an id: the record's own, or a reference to another record's."""
    return name == "id" or name.endswith("_id")


def iso(at: datetime) -> str:
    """An instant as stored in every tab: ISO-8601 with its offset, seconds precision, Vietnam time."""
    if at.tzinfo is None:
        raise ValueError("naive datetimes are never stored")
    return at.astimezone(VN_TZ).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    """Read a stored instant back; a value without an offset is refused rather than guessed."""
    at = datetime.fromisoformat(text.strip())
    if at.tzinfo is None:
        raise ValueError(f"thiếu múi giờ: {text!r}")
    return at.astimezone(VN_TZ)


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def parse_count(value: Any) -> Any:
    """'1200', '1.200' and '1 200' are all 1200; '1,5' or '12.5' are refused."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _THOUSANDS.match(text):
        text = re.sub(r"[.\s]", "", text)
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError("phải là số nguyên (ví dụ 1200 hoặc 1.200)")
    return int(text)


def parse_day(value: Any) -> Any:
    """A calendar day: '2025-10-09' or the Vietnamese '9/10/2025' (day first)."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if m := _DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError("ngày không tồn tại") from None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("phải là ngày dạng ngày/tháng/năm, ví dụ 09/10/2025") from None


def parse_instant(value: Any) -> Any:
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    try:
        return parse_iso(value)
    except ValueError:
        raise ValueError("phải là thời điểm dạng 2025-10-10T00:00:00+07:00") from None


def parse_flag(value: Any) -> Any:
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("phải là 'Có' hoặc 'Không'")


def parse_choice(enum: type[Enum]):
    """Match a typed label to an enum member, ignoring case, spacing and tone placement."""
    by_key = {name_key(member.value): member for member in enum}

    def parse(value: Any) -> Any:
        value = blank_to_none(value)
        if not isinstance(value, str):
            return value
        member = by_key.get(name_key(value))
        if member is None:
            allowed = ", ".join(f"'{m.value}'" for m in enum)
            raise ValueError(f"phải là một trong: {allowed}")
        return member

    return parse


Count = Annotated[int, BeforeValidator(parse_count)]
Day = Annotated[date, BeforeValidator(parse_day)]
Instant = Annotated[datetime, BeforeValidator(parse_instant)]
Flag = Annotated[bool, BeforeValidator(parse_flag)]
Text = Annotated[str, BeforeValidator(lambda v: "" if v is None else v)]
OptCount = Annotated[int | None, BeforeValidator(parse_count)]
OptDay = Annotated[date | None, BeforeValidator(parse_day)]
OptInstant = Annotated[datetime | None, BeforeValidator(parse_instant)]


def to_cell(value: Any) -> str:
    """The string stored for a value: ISO instants with offset, ISO days, 'Có'/'Không', labels."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def day_words(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def instant_words(at: datetime) -> str:
    return at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


_MESSAGES = {
    "missing": "bắt buộc phải nhập",
    "string_too_short": "bắt buộc phải nhập",
    "string_too_long": "quá dài (tối đa {max_length} ký tự)",
    "greater_than_equal": "không được âm",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "date_type": "phải là ngày",
    "bool_type": "phải là 'Có' hoặc 'Không'",
    "enum": "không hợp lệ",
}


def error_messages(exc: ValidationError, labels: dict[str, str]) -> list[str]:
    """pydantic errors as Vietnamese sentences naming the field the user sees."""
    out = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        label = labels.get(field, field)
        if err["type"] == "value_error":
            text = str(err["ctx"]["error"])
        else:
            template = _MESSAGES.get(err["type"], err["msg"])
            text = template.format(**err.get("ctx", {}))
        out.append(f"{label}: {text}" if label else text)
    return out
