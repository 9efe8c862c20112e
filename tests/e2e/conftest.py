"""Real-browser end-to-end tests: every test here is marked `e2e` (select with `-m e2e`).

The harness (app server, Chromium page, waiting for a rerun) lives in tests/support/browser.py.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tests.support.browser import app_server, browser_page, chromium_browser  # noqa: F401 - fixtures
from tests.support.screens import shoot

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees every collected item, not only ours: mark just this directory.
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed browser test leaves a screenshot of its page in shots/failures/ (git-ignored) and
    the text the page showed in its report (CI keeps only the report)."""
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("browser_page")
    if report.when == "call" and report.failed and page is not None:
        with contextlib.suppress(Exception):  # the page may be gone with what made the test fail
            shoot(page, "failures", item.name)
        with contextlib.suppress(Exception):
            shown = page.get_by_test_id("stMain").inner_text(timeout=5_000)
            report.sections.append(("what the page showed", f"{page.url}\n{shown}"))
