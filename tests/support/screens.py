"""What an officer does in the browser, as small helpers the e2e tests share.

Every selector is a role, a label or a Streamlit test id, kept here so that a label changed on a
screen is changed in one place. Nothing here goes around the browser: screens are opened from the
sidebar, people are chosen in the demo sign-in picker.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.support.browser import wait_for_app

SHOTS = Path(__file__).resolve().parents[2] / "shots"  # git-ignored


def start(page, url: str) -> None:
    """Open the app. The first session after a server starts loses its first widget change
    (Streamlit runs that first script run in legacy pages/ mode), so a fresh session is used."""
    page.goto(url)
    wait_for_app(page)
    page.reload()
    wait_for_app(page)


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def sign_in_as(page, label: str) -> None:
    """Choose a person in the demo sign-in picker (by the picker's exact label for them)."""
    picker = sidebar(page).get_by_test_id("stSelectbox").locator("input")
    if picker.input_value() == label:
        return
    option = page.get_by_role("option", name=label, exact=True)
    for _ in range(3):
        picker.click()
        try:
            option.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    option.click()
    wait_for_app(page)
    expect(picker).to_have_value(label)
    wait_for_app(page)


def screen_titles(page) -> list[str]:
    """The titles of the screens the sidebar links to, in order."""
    links = sidebar(page).get_by_test_id("stPageLink-NavLink")
    return [t.strip() for t in links.get_by_test_id("stMarkdownContainer").all_inner_texts()]


def open_screen(page, title: str) -> None:
    """Open a screen from the sidebar by its link's title and wait until it has been drawn."""
    link = sidebar(page).get_by_role("link", name=title, exact=True)
    href = link.evaluate("a => a.href").rstrip("/")
    # A click that lands while the previous rerun still redraws the sidebar can be lost: repeat.
    for _ in range(3):
        link.click()
        try:
            page.wait_for_url(re.compile(re.escape(href) + "/?$"), timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    wait_for_app(page)


def shoot(page, folder: str, name: str) -> Path:
    """Keep a full-page screenshot of this step in shots/<folder>/<name>.png."""
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-")
    path = SHOTS / folder / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
