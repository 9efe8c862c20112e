"""Service-test fixtures on top of tests/conftest.py: a fresh cycle with the cut-offs a test needs."""

from tests.support.cycles import new_cycle  # noqa: F401 - a fixture, by its name
