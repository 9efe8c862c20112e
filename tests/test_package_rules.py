"""The documents and reminders packages serve both phases: the phases never import them, and
they never import pages (a test about the codebase, as tests/test_codebase.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("core", "people", "registration", "year_end", "storage")
SERVING_BOTH = ("services.documents", "services.reminders")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_the_phases_never_import_documents_or_reminders():
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for phase in PHASES
        for path in sorted((ROOT / "services" / phase).rglob("*.py"))
        for name in _imports(path)
        if name.startswith(SERVING_BOTH)
    ]
    assert bad == []


def test_documents_and_reminders_never_import_pages_or_streamlit():
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("documents", "reminders")
        for path in sorted((ROOT / "services" / package).rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in ("pages", "streamlit", "gspread")
    ]
    assert bad == []
