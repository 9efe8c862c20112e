"""Phone numbers and e-mail addresses: one canonical form stored, the Vietnamese way shown.

A form stores what `canonical_phone` / `canonical_email` return (the form says so); a value typed
by hand in the sheet is read through the same functions, so the app compares and shows it the same
way, but the cell itself is never rewritten by reading it.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"^(\+84|0)(\d{9,10})$")  # one way to match: no backtracking
_SEPARATORS = re.compile(r"[\s.\-()]")
PHONE_LIMIT = 30  # characters typed, spaces and dots included
EMAIL_LIMIT = 200
BIG_CITY_CODES = ("024", "028")  # Hà Nội, TP. Hồ Chí Minh: 3-digit area codes


def canonical_phone(value: str) -> str:
    """'0912 345 678', '0912.345.678' and '+84 912 345 678' are all stored as '0912345678'."""
    if len(value) > PHONE_LIMIT:  # before any pattern runs
        raise ValueError(f"quá dài (tối đa {PHONE_LIMIT} ký tự)")
    digits = _SEPARATORS.sub("", value)
    if not digits:
        return ""
    found = _PHONE.match(digits)
    if not found:
        raise ValueError("số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc +84912345678)")
    return "0" + found.group(2)


def phone_words(value: str) -> str:
    """A phone number grouped the Vietnamese way: 0912 345 678, 024 3825 1234, 0221 386 4123.
    A value that is not a phone number is shown as it is."""
    try:
        digits = canonical_phone(value)
    except ValueError:
        return value
    if len(digits) == 10:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if len(digits) == 11 and digits.startswith(BIG_CITY_CODES):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if len(digits) == 11:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return digits


def canonical_email(value: str) -> str:
    """name@domain.tld, trimmed and in lower case; checked in one linear pass (a backtracking
    pattern took seconds on a long input and froze every session)."""
    if len(value) > EMAIL_LIMIT:
        raise ValueError(f"quá dài (tối đa {EMAIL_LIMIT} ký tự)")
    value = value.strip()
    local, at, domain = value.partition("@")
    valid = (
        bool(local and at)
        and "@" not in domain
        and "." in domain[1:-1]
        and not any(ch.isspace() for ch in value)
    )
    if value and not valid:
        raise ValueError("địa chỉ email không hợp lệ (ví dụ bithu@example.vn)")
    return value.lower()
