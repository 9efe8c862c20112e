"""Vietnamese text keys: comparing names, folding for search, and alphabetical order."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")

# Old ("hoà", "thuỷ") vs new ("hòa", "thủy") tone placement: normalise to the new style.
_OLD_TONE = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_OLD_TONE_RE = re.compile("|".join(_OLD_TONE))

# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, then tones.
_BASE_ORDER = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def clean(text: str) -> str:
    """Text as it should be stored from a form: NFC, trimmed, inner spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def name_key(text: str) -> str:
    """Key under which two unit names are 'the same name' (case, spacing and tone placement ignored)."""
    key = clean(text).casefold()
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONE[m.group(0)], key)


def search_key(text: str) -> str:
    """Fold every diacritic and đ→d, so 'doan xa thuan hung' finds 'Đoàn xã Thuần Hưng'."""
    decomposed = unicodedata.normalize("NFD", clean(text).casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d")


def matches(query: str, text: str) -> bool:
    """True when every word of the query occurs, diacritics folded, in the text."""
    haystack = search_key(text)
    return all(word in haystack for word in search_key(query).split())


def _letter_rank(base: str, marks: str) -> tuple[int, int]:
    letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
    tone = next((_TONES[m] for m in marks if m in _TONES), 0)
    pos = _BASE_ORDER.find(letter)
    return (pos if pos >= 0 else len(_BASE_ORDER) + ord(letter[0]), tone)


@lru_cache(maxsize=65_536)  # the same unit names are sorted again on every parse and every board
def sort_key(text: str) -> tuple:
    """Vietnamese alphabetical order: letters first (đ after d, ư after u), tones only to break ties."""
    decomposed = unicodedata.normalize("NFD", clean(text).casefold())
    letters: list[int] = []
    tones: list[int] = []
    i = 0
    while i < len(decomposed):
        base, i = decomposed[i], i + 1
        marks = ""
        while i < len(decomposed) and unicodedata.combining(decomposed[i]):
            marks, i = marks + decomposed[i], i + 1
        if base == "đ" or base.isalpha():
            rank, tone = _letter_rank(base, marks)
        else:
            rank, tone = -1 if base == " " else ord(base) - 1000, 0
        letters.append(rank)
        tones.append(tone)
    return (tuple(letters), tuple(tones))
