"""No English on any screen: every role, every screen of its sidebar, in a real browser.

Words that stay on purpose are in english_allowlist.txt, each with its reason; the detector
(tests/support/english.py) is proven here to catch English before it is trusted to find none.
"""

from __future__ import annotations

import pytest

from pages._navigation import BY_ROLE, SCREENS
from schemas.models import Role
from tests.support.demo_store import demo_app, label, someone
from tests.support.english import english_lines, english_words, load_allowlist, visible_text
from tests.support.screens import open_screen, screen_titles, shoot, sidebar, sign_in_as, start


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_app(tmp_path_factory.mktemp("english")) as app:
        yield app


def test_the_detector_catches_streamlits_english_and_passes_vietnamese():
    allowed = load_allowlist()
    assert english_words("Press Enter to submit form", allowed) == [
        "Press",
        "Enter",
        "submit",
        "form",
    ]
    assert english_words("No results", allowed) == ["results"]
    assert english_words("Drag and drop file here • 200MB per file • XLSX", allowed) == [
        "Drag",
        "and",
        "drop",
        "file",
        "here",
        "per",
        "file",
    ]
    vietnamese = (
        "Đăng ký xây dựng Đoàn cơ sở “3 chủ động” — Kế hoạch số 12-KH/ĐTN, trong năm, gửi "
        "bithu001@mau.example; tải tệp Excel (.xlsx) hoặc PDF; nhắc qua Zalo hay e-mail. "
        "Nguyen Van Khanh, Tran Quang Nghia"
    )
    assert english_words(vietnamese, allowed) == []


def test_every_allowlist_entry_says_why_it_stays():
    allowed = load_allowlist()
    assert allowed and all(len(reason.split()) >= 3 for reason in allowed.values())


def test_the_page_scan_sees_english_a_person_can_see_and_not_what_is_hidden(demo, browser_page):
    page = browser_page
    start(page, demo.url)
    assert english_lines(visible_text(page)) == []
    page.evaluate(
        """() => {
          const seen = document.createElement('p');
          seen.textContent = 'Press Enter to submit form';
          const hidden = document.createElement('p');
          hidden.textContent = 'No results found';
          hidden.style.fontSize = '0';
          document.querySelector('[data-testid="stMain"]').append(seen, hidden);
        }"""
    )
    found = english_lines(visible_text(page))
    assert found == ["'Press Enter to submit form': Press, Enter, submit, form"]


def _role_screens() -> list:
    """(role, screen title) for every screen of every role, named by the screen's address."""
    home = [pytest.param(role, "Trang chủ", id=f"{role.name.lower()}-trang-chu") for role in Role]
    return home + [
        pytest.param(role, SCREENS[name][1], id=f"{role.name.lower()}-{name}")
        for role, names in BY_ROLE.items()
        for name in names
    ]


def _panels(page):
    """Each part of the screen a click shows: its tabs one after the other, its closed expanders
    opened (the screen as first drawn is scanned before these)."""
    tabs = page.get_by_role("tab")
    for index in range(1, tabs.count()):
        tabs.nth(index).click()
        yield f"thẻ {tabs.nth(index).inner_text().strip()}"
    closed = page.locator("[data-testid='stExpander'] details:not([open]) > summary")
    while closed.count():
        name = closed.first.inner_text().strip()
        closed.first.click()
        yield f"mục {name}"


def _box_outside_forms(page):
    """The first text box on the screen that is not in a form (a search box), if any."""
    boxes = page.get_by_test_id("stMain").locator(
        "[data-testid='stTextInput'] input:visible, [data-testid='stTextArea'] textarea:visible"
    )
    for index in range(boxes.count()):
        if boxes.nth(index).evaluate("e => !e.closest('[data-testid=\"stForm\"]')"):
            return boxes.nth(index)
    return None


@pytest.mark.parametrize(("role", "title"), _role_screens())
def test_no_screen_shows_english_to(role, title, demo, browser_page):
    page = browser_page
    start(page, demo.url)
    sign_in_as(page, label(someone(demo.workbook(), role)))
    assert title in screen_titles(page)
    open_screen(page, title)
    shoot(page, f"english-{role.name.lower()}", title)
    problems = {}
    if found := english_lines(visible_text(page)):
        problems[title] = found
    # Typing in a form (not sent): Streamlit's "Press Enter to submit form" would show now.
    typed = page.get_by_test_id("stForm").locator("input[type='text']:visible")
    if typed.count():
        typed.first.fill("12")
        if found := english_lines(visible_text(page)):
            problems["khi gõ vào biểu mẫu"] = found
    for panel in _panels(page):
        if found := english_lines(visible_text(page)):
            problems[panel] = found
    # Typing in a box outside a form (not applied): Streamlit's "Press Enter to apply" shows now.
    if loose := _box_outside_forms(page):
        loose.fill("12")
        if found := english_lines(visible_text(page)):
            problems["khi gõ vào ô tìm kiếm"] = found
    assert problems == {}, "\n".join(f"{t}: {lines}" for t, lines in problems.items())


def test_searching_for_a_person_who_is_not_there_shows_no_english(demo, browser_page):
    """Streamlit's own text that shows only on use: a search that matches nothing."""
    page = browser_page
    start(page, demo.url)
    picker = sidebar(page).get_by_test_id("stSelectbox").locator("input")
    picker.click()
    page.keyboard.type("qqzzxx")
    page.get_by_role("listbox").wait_for()
    assert english_lines(visible_text(page)) == []
