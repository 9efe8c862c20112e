"""Driving app-server processes (tests/support/app_process.py) from a test: one command at a time,
or the same moment on several servers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.support.world import NOW

REPO_ROOT = Path(__file__).resolve().parents[2]


class AppProcess:
    """One `tests.support.app_process`: send a command, read its one-line answer."""

    def __init__(self, url: str, ttl: float = 3600):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.app_process", url, NOW.isoformat(), str(ttl)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.started = self.answer()

    def send(self, **command) -> None:
        self.proc.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def answer(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(30)
            code, err = self.proc.returncode, self.proc.stderr.read()[-3000:]
            raise AssertionError(f"app process ended (exit {code}): {err}")
        return json.loads(line)

    def ask(self, **command) -> dict:
        self.send(**command)
        return self.answer()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def at_once(servers: list[AppProcess], commands: list[dict], lead: float = 1.0) -> list[dict]:
    """Each server gets its command with the same start instant; their answers, in order."""
    at = time.time() + lead
    for server, command in zip(servers, commands, strict=True):
        server.send(**command, at=at)
    return [server.answer() for server in servers]
