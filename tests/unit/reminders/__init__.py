"""Tests of services.reminders: messages, the outbox, e-mail through a real SMTP server."""
