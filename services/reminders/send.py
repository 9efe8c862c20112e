"""Automatic reminders, for cron: `python -m services.reminders.send`.

For every cycle whose schedule has automatic sending on, queues the rounds due now (province
scope) and sends what is queued for those cycles through [smtp]. Safe to run often and on several
servers at once: the outbox ids and the claim on each row keep every message to one sending.
Never run from a page. Settings as the app reads them (`.streamlit/secrets.toml`, TCD_* variables).

Exit status: 0 when nothing failed, 1 when a message could not be sent (or [smtp] is missing), 2
when the settings are wrong, 3 when a tab the reminders need cannot be read (a title row above its
header, a tab renamed or deleted): then nothing at all is queued or sent.

Example crontab line (every 15 minutes, in the app's folder):
    */15 * * * * cd /srv/3cd && .venv/bin/python -m services.reminders.send >> nhac-nho.log 2>&1
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from services.bootstrap import load_settings, open_runtime
from services.core.access import Actor, Role
from services.core.readable import TabsUnreadable
from services.core.runtime import Runtime
from services.core.settings import SettingsError
from services.reminders import outbox, schedule
from services.reminders.mailer import SmtpMailer
from services.reminders.messages import ensure_readable
from services.reminders.settings import ReminderSettings, reminder_settings

SECRETS = Path(".streamlit/secrets.toml")
UNREADABLE = 3  # exit status: a tab the reminders need cannot be read; nothing was sent
SENDER = Actor("lenh-nhac-nho", "Lệnh gửi nhắc nhở tự động", Role.PROVINCE, "")


def run(
    rt: Runtime,
    settings: ReminderSettings,
    mailer_factory: Callable[[Any], Any] = SmtpMailer,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Queue and send the automatic rounds due now; 0 when nothing failed."""
    if settings.smtp is None:
        print("Chưa cấu hình [smtp]: không gửi được e-mail nhắc nhở.", file=sys.stderr)
        return 1
    try:  # before anything is queued or sent: a tab that cannot be read sends nothing at all
        ensure_readable(rt, schedule.NEEDS_DUE)
    except TabsUnreadable as exc:
        print(f"Không gửi nhắc nhở nào. {exc}", file=sys.stderr)
        return UNREADABLE
    auto = [d for d in schedule.due(rt, SENDER, settings.app_url) if d.auto]
    cycles = {d.cycle.id for d in auto}
    for item in auto:
        queued = schedule.queue_due(rt, SENDER, item)
        print(f"{item.cycle.name} – {item.round}: xếp {len(queued.queued)} thư", end="")
        print(f"; chưa có e-mail: {', '.join(queued.no_email)}" if queued.no_email else "")
    auto_cycles = {
        s.cycle_id for s in rt.workbook().reminder_schedules.values() if s.auto_send
    } | cycles
    failed = 0
    with mailer_factory(settings.smtp) as mailer:
        for cycle_id in sorted(auto_cycles):
            report = outbox.send_pending(
                rt, SENDER, mailer, settings.smtp.pause_seconds, sleep, cycle_id
            )
            print(f"{cycle_id}: đã gửi {len(report.sent)}, lỗi {len(report.failed)}")
            for recipient, error in report.failed:
                print(f"  lỗi gửi tới {recipient}: {error}", file=sys.stderr)
            failed += len(report.failed)
    return 1 if failed else 0


def _secrets(path: Path = SECRETS) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def main(
    argv: Sequence[str] | None = None,
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    argparse.ArgumentParser(
        prog="python -m services.reminders.send",
        description=(
            "Gửi thư nhắc tự động (chạy theo lịch, ví dụ cron mỗi 15 phút): xếp các đợt nhắc đã "
            "đến hạn của những chu kỳ bật gửi tự động rồi gửi qua [smtp]. Không có tham số."
        ),
    ).parse_args(argv)
    secrets = _secrets() if secrets is None else secrets
    environ = os.environ if environ is None else environ
    try:
        rt = open_runtime(load_settings(secrets, environ))
    except SettingsError as exc:
        print(f"Không chạy được: {exc}", file=sys.stderr)
        return 2
    return run(rt, reminder_settings(secrets, environ))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
