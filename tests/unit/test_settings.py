"""Settings decide how people sign in, and the app fails closed without a real login."""

from __future__ import annotations

import pytest

from services.runtime import Settings, SettingsError, build_runtime

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}


@pytest.mark.parametrize(
    ("secrets", "environ", "mode"),
    [
        ({}, {}, "demo"),
        ({"store": {"demo": True}}, {}, "demo"),
        ({"auth": AUTH}, {}, "oidc"),
        ({"auth": AUTH, "store": {"demo": True}}, {}, "oidc"),  # never demo while [auth] is set
        ({"auth": AUTH, "store": {"demo": False}}, {}, "oidc"),
    ],
)
def test_the_sign_in_mode_follows_the_settings(secrets, environ, mode):
    assert Settings.from_sources(secrets, environ).sign_in == mode


@pytest.mark.parametrize(
    ("secrets", "environ"),
    [({"store": {"demo": False}}, {}), ({}, {"TCD_DEMO": "0"})],
)
def test_without_demo_and_without_login_the_app_refuses_to_start(secrets, environ):
    with pytest.raises(SettingsError, match=r"Chưa cấu hình đăng nhập.*\[auth\]"):
        Settings.from_sources(secrets, environ).sign_in  # noqa: B018


def test_an_unsupported_store_engine_is_refused_in_vietnamese():
    with pytest.raises(SettingsError, match="chưa được hỗ trợ"):
        Settings.from_sources({"store": {"engine": "sheets"}}, {})


def test_stewards_are_read_case_insensitively():
    settings = Settings.from_sources({"access": {"stewards": [" Can.Bo@TinhDoan.vn "]}}, {})
    assert settings.stewards == ("can.bo@tinhdoan.vn",)


def test_a_store_with_login_configured_is_never_seeded_with_the_demo(tmp_path):
    settings = Settings.from_sources(
        {"auth": AUTH, "store": {"sqlite_path": str(tmp_path / "real.sqlite"), "demo": True}}, {}
    )
    rt = build_runtime(settings)
    assert rt.workbook().units == {} and rt.workbook().users == {}


def test_the_demo_store_is_seeded_with_one_user_per_role(tmp_path):
    rt = build_runtime(
        Settings.from_sources({"store": {"sqlite_path": str(tmp_path / "d.sqlite")}}, {})
    )
    roles = sorted(u.role.value for u in rt.workbook().users.values())
    assert roles == sorted(
        ["Cán bộ Tỉnh đoàn", "Cán bộ Đoàn cấp trên", "Bí thư Đoàn cơ sở", "Người xem"]
    )
