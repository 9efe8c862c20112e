"""Reminders to the units that have not registered or not been assessed: messages, e-mail, schedule."""
