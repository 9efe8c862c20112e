"""Settings decide how people sign in, and the app fails closed without a real login."""

from __future__ import annotations

import logging
import traceback

import gspread
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from requests.adapters import BaseAdapter

from schemas.models import UnitKind
from schemas.tabs import TABS
from services.bootstrap import build_runtime, load_settings, open_sheets_store
from services.core.settings import SettingsError
from services.storage.cache import CachedStore
from services.storage.sheets import SheetsStore
from services.storage.sheets_retry import RetryPolicy
from services.storage.sql import SqlStore
from tests.fakes import FakeSheets, Quota

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
    assert load_settings(secrets, environ).sign_in == mode


@pytest.mark.parametrize(
    ("secrets", "environ"),
    [({"store": {"demo": False}}, {}), ({}, {"TCD_DEMO": "0"})],
)
def test_without_demo_and_without_login_the_app_refuses_to_start(secrets, environ):
    with pytest.raises(SettingsError, match=r"Chưa cấu hình đăng nhập.*\[auth\]"):
        load_settings(secrets, environ).sign_in  # noqa: B018


def test_an_unsupported_store_engine_is_refused_in_vietnamese():
    with pytest.raises(SettingsError, match="chưa được hỗ trợ"):
        load_settings({"store": {"engine": "postgres"}}, {})


def test_stewards_are_read_case_insensitively():
    settings = load_settings({"access": {"stewards": [" Can.Bo@TinhDoan.vn "]}}, {})
    assert settings.stewards == ("can.bo@tinhdoan.vn",)


def test_a_store_with_login_configured_is_never_seeded_with_the_demo(tmp_path):
    settings = load_settings(
        {"auth": AUTH, "store": {"sqlite_path": str(tmp_path / "real.sqlite"), "demo": True}}, {}
    )
    rt = build_runtime(settings)
    assert rt.workbook().units == {} and rt.workbook().users == {}


def test_the_demo_store_is_seeded_with_one_user_per_role(tmp_path):
    rt = build_runtime(load_settings({"store": {"sqlite_path": str(tmp_path / "d.sqlite")}}, {}))
    roles = sorted(u.role.value for u in rt.workbook().users.values())
    assert roles == sorted(
        ["Cán bộ Tỉnh đoàn", "Cán bộ Đoàn cấp trên", "Bí thư Đoàn cơ sở", "Người xem"]
    )


# ---- the Google Sheets engine -------------------------------------------------------------------


@pytest.fixture(scope="module")
def account() -> dict[str, str]:
    """A service-account key of the shape Google hands out, with a freshly made private key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "mau-3cd",
        "private_key_id": "kid-3cd-secret-0f9e8d7c6b5a",
        "private_key": pem,
        "client_email": "tcd-app@mau-3cd.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


@pytest.fixture
def fake() -> FakeSheets:
    return FakeSheets(quota=Quota(10**6, 10**6, 10**6, 10**6))


def sheets_secrets(key: str, account: dict[str, str], **store: object) -> dict:
    return {
        "store": {"engine": "sheets", **store},
        "sheets": {"spreadsheet_key": key, "service_account": account},
        "auth": AUTH,
    }


def secret_parts(account: dict[str, str]) -> list[str]:
    """Pieces of the key that must never be shown or logged (the PEM body, line by line)."""
    body = [line for line in account["private_key"].splitlines() if "PRIVATE KEY" not in line]
    return [account["private_key_id"], *body]


def assert_no_secret_in(text: str, account: dict[str, str]) -> None:
    for part in secret_parts(account):
        assert part not in text


def test_a_sheets_deployment_opens_the_spreadsheet_creates_its_tabs_and_seeds_nothing(
    fake, account
):
    key = fake.create_spreadsheet("3CĐ")
    settings = load_settings(sheets_secrets(key, account, demo=True), {})
    client = gspread.Client(auth=None, session=fake.session())
    rt = build_runtime(settings, client)
    person = fake.person(key)
    assert person.values(TABS["units"].title) == [list(TABS["units"].headers)]
    assert person.values(TABS["registrations"].title) == [list(TABS["registrations"].headers)]
    assert isinstance(rt.store, CachedStore) and isinstance(rt.store.inner, SheetsStore)
    assert rt.store.ttl == 60
    assert rt.workbook().units == {} and rt.workbook().users == {}  # no demo on a real sheet
    assert settings.sign_in == "oidc"


def test_the_sheets_store_reads_what_a_person_typed(fake, account):
    key = fake.create_spreadsheet("3CĐ")
    settings = load_settings(sheets_secrets(key, account), {})
    rt = build_runtime(settings, gspread.Client(auth=None, session=fake.session()))
    fake.person(key).type_row(
        TABS["units"].title, 2, ["DV-TAY", "Tỉnh đoàn Mẫu", "Tỉnh đoàn", *[""] * 7, "Có"]
    )
    assert rt.workbook().units["DV-TAY"].name == "Tỉnh đoàn Mẫu"


def test_a_sheets_deployment_without_sign_in_refuses_to_start_and_touches_nothing(fake, account):
    key = fake.create_spreadsheet("3CĐ")
    secrets = sheets_secrets(key, account, demo=True)
    del secrets["auth"]
    settings = load_settings(secrets, {})
    with pytest.raises(SettingsError, match=r"Chưa cấu hình đăng nhập"):
        build_runtime(settings, gspread.Client(auth=None, session=fake.session()))
    assert fake.calls == []


def test_the_refresh_interval_is_a_setting(tmp_path):
    path = str(tmp_path / "d.sqlite")
    assert load_settings({}, {}).refresh_seconds == 60
    settings = load_settings({"store": {"sqlite_path": path, "refresh_seconds": 15}}, {})
    assert build_runtime(settings).store.ttl == 15


@pytest.mark.parametrize("value", ["abc", 0, -5, 7200])
def test_a_refresh_interval_that_is_not_a_sensible_number_of_seconds_is_refused(value):
    with pytest.raises(SettingsError, match="refresh_seconds"):
        load_settings({"store": {"refresh_seconds": value}}, {})


REFUSALS = [
    pytest.param(lambda a: {"service_account": a}, "spreadsheet_key", id="no-spreadsheet-key"),
    pytest.param(
        lambda a: {"spreadsheet_key": "  ", "service_account": a}, "spreadsheet_key", id="blank-key"
    ),
    pytest.param(lambda a: {"spreadsheet_key": "k"}, "Chưa có khóa", id="no-service-account"),
    pytest.param(
        lambda a: {"spreadsheet_key": "k", "service_account": {**a, "client_email": ""}},
        "thiếu trường: client_email",
        id="account-without-email",
    ),
    pytest.param(
        lambda a: {"spreadsheet_key": "k", "service_account": {**a, "type": "authorized_user"}},
        "không phải khóa tài khoản dịch vụ",
        id="not-a-service-account",
    ),
    pytest.param(
        lambda a: {
            "spreadsheet_key": "k",
            "service_account": {**a, "private_key": a["private_key"][:300] + "hỏng\n"},
        },
        "private_key",
        id="broken-private-key",
    ),
]


@pytest.mark.parametrize(("sheets", "reason"), REFUSALS)
def test_incomplete_sheets_settings_are_refused_in_vietnamese_without_showing_the_key(
    account, caplog, sheets, reason
):
    caplog.set_level(logging.DEBUG)
    secrets = {"store": {"engine": "sheets"}, "sheets": sheets(account), "auth": AUTH}
    with pytest.raises(SettingsError) as refused:
        load_settings(secrets, {})
    assert reason in str(refused.value)
    shown = "".join(traceback.format_exception(refused.value))
    assert_no_secret_in(shown + caplog.text, account)


def test_settings_never_show_the_service_account_key(account):
    settings = load_settings(sheets_secrets("k", account), {})
    assert settings.service_account["client_email"] == account["client_email"]
    assert_no_secret_in(repr(settings) + str(settings), account)
    assert "service_account" not in repr(settings)


def test_the_runtime_never_shows_the_service_account_key(fake, account):
    key = fake.create_spreadsheet("3CĐ")
    settings = load_settings(sheets_secrets(key, account), {})
    rt = build_runtime(settings, gspread.Client(auth=None, session=fake.session()))
    assert_no_secret_in(repr(rt), account)


def test_a_spreadsheet_that_does_not_exist_is_refused_saying_so(fake, account):
    settings = load_settings(sheets_secrets("khong-co-bang-nay", account), {})
    with pytest.raises(SettingsError, match="Không tìm thấy bảng tính") as refused:
        open_sheets_store(settings, gspread.Client(auth=None, session=fake.session()))
    assert_no_secret_in("".join(traceback.format_exception(refused.value)), account)


def test_a_spreadsheet_not_shared_with_the_account_is_refused_naming_the_account(fake, account):
    key = fake.create_spreadsheet("3CĐ")
    settings = load_settings(sheets_secrets(key, account), {})
    fake.fail_next(status=403)  # Google's answer when the sheet is not shared with the account
    with pytest.raises(SettingsError, match="chưa được chia sẻ") as refused:
        open_sheets_store(settings, gspread.Client(auth=None, session=fake.session()))
    assert account["client_email"] in str(refused.value)


def test_a_spreadsheet_shared_read_only_is_refused_when_the_tabs_cannot_be_created(fake, account):
    key = fake.create_spreadsheet("3CĐ")
    settings = load_settings(sheets_secrets(key, account), {})
    fake.fail_next(status=403, kind="write")
    with pytest.raises(SettingsError, match="Người chỉnh sửa"):
        open_sheets_store(settings, gspread.Client(auth=None, session=fake.session()))


class NoNetwork(BaseAdapter):
    """A transport with the network down: every request fails to connect."""

    def send(self, request, **kwargs):
        raise requests.exceptions.ConnectionError("Failed to establish a new connection")

    def close(self) -> None:
        pass


def test_with_the_network_down_the_app_says_so_after_a_bounded_number_of_tries(fake, account):
    session = requests.Session()
    session.mount("https://", NoNetwork())
    settings = load_settings(sheets_secrets("k", account), {})
    retry = RetryPolicy.simulated(fake.clock, max_attempts=3)
    with pytest.raises(SettingsError, match="Không kết nối được Google Sheets"):
        open_sheets_store(settings, gspread.Client(auth=None, session=session), retry)


def test_a_timeout_on_every_try_is_reported_as_a_network_problem(fake, account):
    key = fake.create_spreadsheet("3CĐ")
    settings = load_settings(sheets_secrets(key, account), {})
    fake.timeout_next(10)
    retry = RetryPolicy.simulated(fake.clock, max_attempts=3)
    with pytest.raises(SettingsError, match="Không kết nối được"):
        open_sheets_store(settings, gspread.Client(auth=None, session=fake.session()), retry)


def test_the_copy_command_can_open_the_sheet_from_the_secrets_alone(fake, account):
    key = fake.create_spreadsheet("3CĐ")
    secrets = {"sheets": {"spreadsheet_key": key, "service_account": account}}
    store = open_sheets_store(secrets, gspread.Client(auth=None, session=fake.session()))
    assert store.read(["units"]) == {"units": []}
    assert fake.person(key).values(TABS["cycles"].title) == [list(TABS["cycles"].headers)]


def test_without_a_client_one_is_signed_in_with_the_service_account(monkeypatch, account):
    """The real path: credentials from the key, the Sheets scope only, open_by_key."""
    seen = {}

    def open_(client, key, account_email, retry):
        seen.update(client=client, key=key, email=account_email)
        return "store"

    monkeypatch.setattr("services.storage.sheets_connect.open_spreadsheet", open_)
    assert open_sheets_store(load_settings(sheets_secrets("k-1", account), {})) == "store"
    creds = seen["client"].http_client.auth
    assert creds.service_account_email == account["client_email"]
    assert tuple(creds.scopes) == ("https://www.googleapis.com/auth/spreadsheets",)
    assert seen["key"] == "k-1" and seen["email"] == account["client_email"]


def test_a_postgresql_deployment_reads_its_url_and_pool_with_the_environment_winning():
    secrets = {
        "store": {"engine": "postgresql", "database_url": "postgresql://a@db/x", "pool_size": 3},
        "auth": {"client_id": "x"},
    }
    environ = {"TCD_DATABASE_URL": "postgresql://b@db2/y", "TCD_POOL_TIMEOUT": "12"}
    settings = load_settings(secrets, environ)
    assert (settings.engine, settings.database_url) == ("postgresql", "postgresql://b@db2/y")
    assert (settings.pool_size, settings.pool_max_overflow, settings.pool_timeout) == (3, 10, 12.0)


def test_a_postgresql_deployment_without_a_database_url_is_refused_in_vietnamese():
    with pytest.raises(SettingsError, match="database_url"):
        load_settings({"store": {"engine": "postgresql"}, "auth": {"x": 1}}, {})


@pytest.mark.parametrize("key, value", [("pool_size", 0), ("pool_max_overflow", "nhiều")])
def test_a_pool_setting_that_is_not_a_sensible_number_is_refused(key, value):
    store = {"engine": "postgresql", "database_url": "postgresql://a@db/x", key: value}
    with pytest.raises(SettingsError, match=key):
        load_settings({"store": store, "auth": {"x": 1}}, {})


def test_the_database_password_never_shows_in_the_settings():
    store = {"engine": "postgresql", "database_url": "postgresql://a:bí-mật@db/x"}
    assert "bí-mật" not in repr(load_settings({"store": store, "auth": {"x": 1}}, {}))


def test_a_postgresql_deployment_without_sign_in_refuses_to_start(postgres_url):
    settings = load_settings(
        {"store": {"engine": "postgresql"}}, {"TCD_DATABASE_URL": postgres_url}
    )
    with pytest.raises(SettingsError, match=r"\[auth\]"):
        build_runtime(settings)


def test_a_postgresql_deployment_without_sign_in_refuses_before_connecting():
    """No server listens on port 1: a connection attempt would fail differently (or hang)."""
    settings = load_settings(
        {"store": {"engine": "postgresql", "demo": True}},
        {"TCD_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    )
    with pytest.raises(SettingsError, match="Chưa cấu hình đăng nhập"):
        build_runtime(settings)


def test_a_postgresql_deployment_opens_its_database_and_seeds_nothing(postgres_url):
    secrets = {"store": {"engine": "postgresql", "database_url": postgres_url}, "auth": {"x": 1}}
    runtime = build_runtime(load_settings(secrets, {}))
    try:
        assert runtime.workbook().units == {}
        assert runtime.store.check_every <= 1.0
    finally:
        runtime.store.inner.engine.dispose()


SHEET = {"spreadsheet_key": "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"}


@pytest.mark.parametrize(
    ("secrets", "environ"),
    [
        ({"store": {"engine": "sheets", "scope": "DV-0001"}, "sheets": SHEET}, {}),
        ({"store": {"engine": "sheets"}, "sheets": SHEET}, {"TCD_STORE_SCOPE": "DV-0001"}),
    ],
)
def test_a_scope_on_google_sheets_is_refused_in_vietnamese(secrets, environ):
    with pytest.raises(SettingsError, match="Không thể giới hạn phạm vi.*Google Sheets"):
        load_settings(secrets, environ)


def test_the_scope_is_read_from_the_store_table_and_the_environment_wins():
    assert load_settings({"store": {"scope": " DV-0001 "}}, {}).scope == "DV-0001"
    environ = {"TCD_STORE_SCOPE": "DV-0002"}
    assert load_settings({"store": {"scope": "DV-0001"}}, environ).scope == "DV-0002"
    assert load_settings({}, {}).scope == ""


def test_a_scope_naming_no_unit_of_the_store_is_refused_at_start_and_seeds_nothing(tmp_path):
    path = tmp_path / "d.sqlite"
    settings = load_settings({"store": {"sqlite_path": str(path), "scope": "DV-KHONG-CO"}}, {})

    with pytest.raises(SettingsError, match="Không tìm thấy đơn vị có mã DV-KHONG-CO"):
        build_runtime(settings)

    assert not any(SqlStore.at_path(path).read(TABS).values())  # the demo was not seeded


def test_a_server_scoped_to_an_upper_unit_holds_its_subtree_and_the_units_above(tmp_path):
    path = str(tmp_path / "d.sqlite")
    whole = build_runtime(load_settings({"store": {"sqlite_path": path}}, {})).workbook()
    bloc = next(u for u in whole.units.values() if u.kind is UnitKind.DOAN_KHOI)

    scoped = build_runtime(load_settings({"store": {"sqlite_path": path, "scope": bloc.id}}, {}))

    held = set(scoped.workbook().units)
    assert held == whole.subtree(bloc.id) | set(whole.ancestors(bloc.id))
    assert len(held) < len(whole.units)
