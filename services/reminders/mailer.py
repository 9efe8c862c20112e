"""Sending one reminder through the [smtp] server: UTF-8 subject and body, To the secretary, Cc the
follow-up officer, a Message-ID made from the outbox row (so a mail system can spot a repeat)."""

from __future__ import annotations

import contextlib
import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from schemas.models import Reminder
from services.reminders.settings import Smtp

TIMEOUT = 30  # seconds for the connection and each command


def message_of(row: Reminder, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = sender
    message["To"] = row.recipient
    if row.cc:
        message["Cc"] = row.cc
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<{row.id.lower()}@3cd.nhac-nho>"
    message.set_content(row.body, charset="utf-8")
    return message


class SmtpMailer:
    """One connection for a run: `with SmtpMailer(settings) as mailer: mailer.send(row)`."""

    def __init__(self, smtp: Smtp):
        self.smtp = smtp
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        s = self.smtp
        if s.security == "ssl":
            self.connection = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT)
        else:
            self.connection = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
            if s.security == "starttls":
                self.connection.starttls()
        if s.username:
            self.connection.login(s.username, s.password)
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()

    def send(self, row: Reminder) -> None:
        assert self.connection is not None, "use SmtpMailer in a with block"
        self.connection.send_message(message_of(row, self.smtp.sender))
