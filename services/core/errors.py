"""The closed set of errors services raise; each carries a Vietnamese message a page shows as is."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse. The message says what happened and what to do next."""


class InvalidInput(DomainError):
    """A form or import value that fails validation; `messages` name each field."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


class AccessDenied(DomainError):
    """The acting person's role or unit does not allow this."""


class NotFound(DomainError):
    """A unit, cycle or record that does not exist (or no longer does)."""


class RegistrationClosed(DomainError):
    """The cut-off has passed and the cycle refuses late registrations."""


class NotAllowed(DomainError):
    """The record's state does not allow this step (e.g. editing an accepted registration)."""
