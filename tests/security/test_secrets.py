"""Secrets never reach a page or a log, and a configured login never falls back to the demo picker."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support.secrets import (
    AUTH,
    ROOT,
    SECRETS,
    SERVICE_ACCOUNT,
)


def app_with(tmp_path: Path, store: dict, auth: bool, user: dict | None = None) -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["store"] = {"sqlite_path": str(tmp_path / "app.sqlite"), **store}
    at.secrets["sheets"] = {"spreadsheet_key": "mau", "service_account": SERVICE_ACCOUNT}
    if auth:
        at.secrets["auth"] = AUTH
        # What a real server reports for a visitor who has not signed in (AppTest's default is a
        # bare e-mail with no login flag).
        at.user = user or {"is_logged_in": False}
    return at.run()


def page_text(at: AppTest) -> str:
    """Every element's content as Streamlit would send it to the browser."""
    return "\n".join(str(getattr(node, "proto", "")) for node in at._tree)


def assert_no_secret_shown_or_logged(at: AppTest, caplog) -> None:
    shown = page_text(at) + "".join(e.value for e in at.exception)
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    for secret in SECRETS:
        assert secret not in shown
        assert secret not in logged


REFUSING = [
    pytest.param({"demo": False}, False, "Chưa cấu hình đăng nhập", id="not-demo-and-no-auth"),
    # The example key's private_key is not a real key: refused, and never shown.
    pytest.param({"engine": "sheets"}, True, "Khóa riêng", id="sheets-engine-invalid-key"),
    pytest.param({"engine": "sheets", "demo": False}, False, "Khóa riêng", id="sheets-no-auth"),
]


@pytest.mark.parametrize(("store", "auth", "reason"), REFUSING)
def test_an_app_that_refuses_to_start_says_why_and_shows_no_secret(
    tmp_path, caplog, store, auth, reason
):
    caplog.set_level(logging.DEBUG)
    at = app_with(tmp_path, store, auth)
    assert not at.exception
    assert reason in " ".join(e.value for e in at.error)
    assert not at.selectbox and not at.button  # nothing to act on: no picker, no screens
    assert_no_secret_shown_or_logged(at, caplog)
    assert not (tmp_path / "app.sqlite").exists()  # refused before opening any store


def test_with_login_configured_and_nobody_signed_in_only_the_sign_in_button_shows(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    at = app_with(tmp_path, {"demo": True}, auth=True)
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.button] == ["Đăng nhập"]
    with pytest.raises(KeyError):
        at.selectbox(key="demo_person")
    assert not at.selectbox and not at.dataframe
    assert "Chế độ dùng thử" not in page_text(at)
    assert_no_secret_shown_or_logged(at, caplog)


def test_a_demo_store_shows_no_secret_of_the_sheets_settings(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    at = app_with(tmp_path, {"demo": True}, auth=False)
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="demo_person")  # the demo picker is there
    assert_no_secret_shown_or_logged(at, caplog)


def test_a_signed_in_e_mail_without_access_is_refused_without_showing_secrets(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    person = {"is_logged_in": True, "email": "la@mau.example", "name": "Người lạ"}
    at = app_with(tmp_path, {"demo": True}, auth=True, user=person)
    assert not at.exception, [e.value for e in at.exception]
    assert "chưa được cấp quyền" in " ".join(e.value for e in at.error)
    with pytest.raises(KeyError):
        at.selectbox(key="demo_person")
    assert_no_secret_shown_or_logged(at, caplog)
