"""The AppTest fixtures of tests/app, for the security tests that open screens."""

from tests.app.conftest import app_runtime, open_app, stored  # noqa: F401
