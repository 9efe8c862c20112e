"""docs/security.md names the test behind each attack it lists: every named file and test exists.

Before, it cited tests/unit/test_users.py, a file that had moved to tests/unit/people/.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"`((?:tests/[\w/]+/)?test_\w+\.py)(?:::(test_\w+))?`")


def cited_tests(text: str) -> list[tuple[str, str | None]]:
    return [(m[1], m[2]) for m in CITED.finditer(text)]


def missing(text: str) -> list[str]:
    """Each citation whose file (a full path, or a file name found once under tests/) or whose
    test function does not exist."""
    out = []
    for file, test in cited_tests(text):
        paths = [ROOT / file] if "/" in file else sorted((ROOT / "tests").rglob(file))
        paths = [p for p in paths if p.is_file()]
        if len(paths) != 1:
            out.append(f"{file}: {'not found' if not paths else 'more than one such file'}")
        elif test and not re.search(rf"^def {test}\(", paths[0].read_text("utf-8"), re.M):
            out.append(f"{file}::{test}: no such test")
    return out


def test_every_test_the_security_page_cites_exists():
    text = (ROOT / "docs" / "security.md").read_text("utf-8")
    assert len(cited_tests(text)) >= 20  # the page cites its tests in this form
    assert missing(text) == []


def test_the_check_finds_a_moved_file_and_a_renamed_test():
    text = (
        "`tests/unit/test_users.py::test_an_unknown_email_is_refused_and_told_whom_to_contact` "
        "`test_demo_mode.py::test_that_was_renamed` `test_low_findings.py`"
    )
    assert missing(text) == [
        "tests/unit/test_users.py: not found",
        "test_demo_mode.py::test_that_was_renamed: no such test",
    ]
