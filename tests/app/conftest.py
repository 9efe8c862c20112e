"""AppTest fixtures: the real app.py on a temporary embedded store, as one of the demo people."""

from tests.support.app import app_runtime, open_app, stored  # noqa: F401 - fixtures, by name
