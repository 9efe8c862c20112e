"""The composition root: settings in, one store per process out; every service receives it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from schemas.cells import parse_iso
from schemas.criteria import CriteriaSet, load_catalogue
from services.clock import Clock, FixedClock, SystemClock
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from services.workbook import Workbook

T = TypeVar("T")
DEFAULT_SQLITE_PATH = "data/3cd.sqlite"
ENV = {
    "engine": "TCD_STORE_ENGINE",
    "sqlite_path": "TCD_SQLITE_PATH",
    "demo": "TCD_DEMO",
    "now": "TCD_NOW",
}


class SettingsError(Exception):
    """The settings cannot start the app; the message says what to change."""


@dataclass(frozen=True)
class Settings:
    engine: str = "sqlite"
    sqlite_path: str = DEFAULT_SQLITE_PATH
    demo: bool = True
    now: str = ""  # a frozen clock, for training and tests only
    login: bool = False  # an [auth] section exists: people sign in with st.login (OIDC)
    stewards: tuple[
        str, ...
    ] = ()  # [access] stewards: province staff until the users tab lists them

    @property
    def sign_in(self) -> str:
        """'oidc' when [auth] is configured, else 'demo' on the embedded demo store; else refuse.

        Fail closed: a store that is not the embedded demo never runs without a real login.
        """
        if self.login:
            return "oidc"
        if self.demo and self.engine == "sqlite":
            return "demo"
        raise SettingsError(
            "Chưa cấu hình đăng nhập: hãy thêm mục [auth] vào .streamlit/secrets.toml (xem README, "
            "phần Login). Không có đăng nhập, ứng dụng chỉ chạy ở chế độ dùng thử (demo = true) "
            "với kho dữ liệu nhúng."
        )

    @classmethod
    def from_sources(
        cls, secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Environment variables win over `.streamlit/secrets.toml` ([store] and [clock] tables)."""
        secrets = secrets or {}
        environ = os.environ if environ is None else environ
        store = dict(secrets.get("store", {}))
        values: dict[str, Any] = {
            "engine": store.get("engine", cls.engine),
            "sqlite_path": store.get("sqlite_path", cls.sqlite_path),
            "demo": store.get("demo", cls.demo),
            "now": dict(secrets.get("clock", {})).get("now", ""),
            "login": bool(secrets.get("auth")),
            "stewards": tuple(
                str(e).strip().casefold()
                for e in dict(secrets.get("access", {})).get("stewards", ())
            ),
        }
        for key, var in ENV.items():
            if environ.get(var):
                values[key] = environ[var]
        if isinstance(values["demo"], str):
            values["demo"] = values["demo"].strip().lower() in {"1", "true", "yes", "có"}
        if values["engine"] != "sqlite":
            raise SettingsError(
                f"Kho dữ liệu '{values['engine']}' chưa được hỗ trợ; hãy dùng engine = \"sqlite\"."
            )
        return cls(**values)


@dataclass
class Runtime:
    """What every service needs: the shared cached store, the clock, the criteria catalogue."""

    store: CachedStore
    clock: Clock
    criteria: dict[str, CriteriaSet]
    settings: Settings = field(default_factory=Settings)

    _last: Workbook | None = field(default=None, repr=False)

    def workbook(self) -> Workbook:
        """The parsed current snapshot, parsed once per data version for every session."""
        return self.derived("workbook", lambda wb: wb)

    def derived(self, key: Any, compute: Callable[[Workbook], T]) -> T:
        """Something computed from the current workbook once per data version, for every session.

        The workbook and the memo come from the same snapshot, so a refresh in between can never
        file an old result under a new version.
        """
        snapshot = self.store.snapshot()
        wb = snapshot.derived("workbook", lambda: self._parse(snapshot.tabs))
        return wb if key == "workbook" else snapshot.derived(key, lambda: compute(wb))

    def _parse(self, tabs_rows) -> Workbook:
        self._last = Workbook.parse(tabs_rows, previous=self._last)
        self._last._earlier = {}  # only one generation back is kept
        return self._last


def build_runtime(settings: Settings) -> Runtime:
    """Open the configured store (seeding the demo into an empty embedded store) once per process."""
    from services import demo

    clock: Clock = FixedClock(parse_iso(settings.now)) if settings.now else SystemClock()
    store = CachedStore(SqlStore.at_path(Path(settings.sqlite_path)))
    runtime = Runtime(store, clock, load_catalogue(), settings)
    if settings.sign_in == "demo":  # never while a real login is configured
        demo.seed_if_empty(runtime)
    return runtime
