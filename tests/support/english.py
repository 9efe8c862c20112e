"""Finding English on a screen: the words a Vietnamese officer should not meet.

A word counts as English when it is written in plain ASCII letters, has a lower-case letter (all
capitals are abbreviations, which Vietnamese uses too: ĐTN, THPT, PDF), and cannot be a Vietnamese
syllable (Vietnamese onsets, vowels and endings; "per", "file", "Press", "results" cannot). Words
that stay on purpose are listed, each with its reason, in tests/e2e/english_allowlist.txt.

`visible_text(page)` is what the person sees: text of rendered, non-zero-size elements, without
Material icon names (drawn as pictures), without text only screen readers get (Streamlit's own
announcements, such as "4 options available", are English and out of reach), with the cells a
table shows (drawn on a canvas, read from the hidden table that mirrors it), and with the
placeholders of empty inputs.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ALLOWLIST = Path(__file__).resolve().parents[1] / "e2e" / "english_allowlist.txt"

_ONSET = "ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x"
_SYLLABLE = re.compile(rf"^(?:{_ONSET})?[aeiouy]{{1,3}}(?:ch|ng|nh|c|m|n|p|t)?$")
_WORD = re.compile(r"[^\W\d_]+")
_ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|\S+\.(?:xlsx|docx|pdf|csv)\b", re.IGNORECASE)


def could_be_vietnamese(word: str) -> bool:
    """Whether `word` can be a Vietnamese syllable (one with a diacritic always can)."""
    if not word.isascii():
        return True
    return bool(_SYLLABLE.match(word.lower()))


def load_allowlist(path: Path = ALLOWLIST) -> dict[str, str]:
    """word (lower case) → why it stays; lines are `word: reason`, # starts a comment."""
    allowed: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, sep, reason = line.partition(":")
        if not sep or not word.strip() or not reason.strip():
            raise ValueError(f"{path.name}:{number}: each entry is `word: why it stays`")
        allowed[word.strip().lower()] = reason.strip()
    return allowed


def english_words(text: str, allowed: dict[str, str] | None = None) -> list[str]:
    """The English words of `text`, in order, outside the allow-list (e-mail addresses, web
    addresses and file names are data, not wording, and are skipped)."""
    allowed = load_allowlist() if allowed is None else allowed
    found = []
    for word in _WORD.findall(_ADDRESSES.sub(" ", text)):
        if word.isupper() or not word.isascii() or word.lower() in allowed:
            continue
        if not could_be_vietnamese(word):
            found.append(word)
    return found


def english_lines(text: str, allowed: dict[str, str] | None = None) -> list[str]:
    """The lines of `text` that hold English words, each with the words found."""
    allowed = load_allowlist() if allowed is None else allowed
    return [
        f"{line.strip()!r}: {', '.join(words)}"
        for line in text.splitlines()
        if (words := english_words(line, allowed))
    ]


_VISIBLE_TEXT_JS = """
() => {
  const out = [];
  const skip = (el) => {
    if (!el || el.nodeType !== 1) return false;
    if (el.closest('[data-testid="stIconMaterial"], script, style, noscript')) return true;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return true;
    // Text for screen readers only (clipped to 1px, e.g. "Skip to main content") is not seen.
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return true;
    return parseFloat(getComputedStyle(el).fontSize) === 0;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (text && !skip(node.parentElement)) out.push(text);
  }
  // A table (st.dataframe) is drawn on a canvas; its cells on screen are mirrored in a hidden table.
  for (const cell of document.querySelectorAll('[data-testid="stDataFrame"] :is(td, th)')) {
    const text = cell.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (!el.value && !skip(el)) out.push(el.placeholder);
  }
  return out.join('\\n');
}
"""


def _draw_tables(page) -> None:
    """Bring each visible table into view until its canvas has drawn its first rows (an empty
    table never does: a short wait, then on)."""
    frames = page.get_by_test_id("stDataFrame")
    for index in range(frames.count()):
        frame = frames.nth(index)
        if not frame.is_visible():  # in a tab not chosen or a closed expander: not seen now
            continue
        frame.scroll_into_view_if_needed()
        try:
            frame.locator("canvas table tr").first.wait_for(state="attached", timeout=3_000)
        except PlaywrightTimeout:
            continue


def visible_text(page) -> str:
    """The text a person sees on the page, one piece per line (its tables drawn first)."""
    _draw_tables(page)
    return page.evaluate(_VISIBLE_TEXT_JS)
