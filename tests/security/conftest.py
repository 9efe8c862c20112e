"""The AppTest fixtures of tests/app, for the security tests that open screens."""

from tests.support.app import app_runtime, open_app, stored  # noqa: F401
