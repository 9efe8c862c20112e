"""The `python -m …` commands named in the README and docs answer `--help` and change nothing.

(`--help` once made the template command write a file named "--help", and made the reminders and
reset commands open, create or rename the store.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    "services.reminders.send",
    "services.demo.reset",
    "services.documents.template",
    "services.data.copy_store",
    "services.data.copy_to_sheets",
]


@pytest.mark.parametrize("module", COMMANDS)
def test_help_describes_the_command_and_touches_nothing(tmp_path, module):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[store]\nsqlite_path = "data/3cd.sqlite"\n', encoding="utf-8"
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "3cd.sqlite").write_bytes(b"a store that must stay where it is")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert f"python -m {module}" in done.stdout
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
