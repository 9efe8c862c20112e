"""A dashboard kept live by the browser: it asks a small HTTP route for the data version and reruns
the page only when the data changed.

An `st.fragment(run_every=…)` that polls does the same job, but every tick is a script run on the
server (a thread, the fragment, its messages): about 9 ms of CPU, so 200 open dashboards cost 12%
of a core while nobody does anything (docs/benchmarks.md). Here a tick is one GET that reads the
cached version, and the script runs only when there is something new to draw.

- `routes()` is handed to `st.App` in app.py (Streamlit 1.67 serves an `st.App` found in the
  script it runs, with the app's own Starlette routes beside its own).
- `follow_new_data(drawn)` mounts an `st.components.v2` component (no iframe; trusted code of
  ours, no user text in it) holding the version the page was drawn from. Its script asks the route
  every `every` seconds, shows the time of the last answer, and sets a trigger value when the
  version differs: the trigger reruns the page, which draws the new data and mounts the component
  again with the new version.

The route answers anyone who can reach the app: the data version (a counter with the server's
instance id) and the time. It says that something changed, never what. Behind several servers the
instance id makes the versions of two servers never look equal; a browser whose GET reached
another server than its websocket reruns once per tick, as a fragment would have.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pages import _ui
from services.core.runtime import Runtime
from services.core.settings import SettingsError
from services.storage import StoreError

PATH = "/tcd/data-version"
EVERY_SECONDS = 15  # how often an open dashboard asks whether the data changed
INSTANCE = uuid.uuid4().hex[:8]  # this server process: versions of two servers never compare equal
log = logging.getLogger("3cd")

_CSS = ".tcd-live { font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); margin: 0 0 1rem 0; }"
_HTML = '<p class="tcd-live" data-testid="tcd-live"></p>'
# The caption's text is Vietnamese like the rest of the page; `data.url` is the route below.
_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const line = parentElement.querySelector(".tcd-live");
  const said = (at, note) => `Số liệu lúc ${at} · ${note}`;
  line.textContent = said(data.at, "tự cập nhật khi có dữ liệu mới.");
  let stopped = false;
  const check = async () => {
    try {
      const reply = await fetch(data.url, { cache: "no-store", credentials: "same-origin" });
      if (!reply.ok) throw new Error(String(reply.status));
      const now = await reply.json();
      if (stopped) return;
      if (now.version !== data.drawn) {
        setTriggerValue("changed", now.version);
        return;
      }
      line.textContent = said(now.at, "tự cập nhật khi có dữ liệu mới.");
    } catch (error) {
      if (!stopped) line.textContent = said(data.at, "chưa hỏi được máy chủ, sẽ thử lại.");
    }
  };
  const timer = setInterval(check, data.every * 1000);
  return () => { stopped = true; clearInterval(timer); };
}
"""
_component = st.components.v2.component(
    "tcd_follow_new_data", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


def token(rt: Runtime) -> str:
    """The version of the data this server holds, as the page and the route both say it."""
    return f"{INSTANCE}.{rt.store.data_version()}"


def _at(rt: Runtime) -> str:
    return f"{rt.clock.now():%H:%M:%S %d/%m/%Y}"


def _url() -> str:
    """The route's path on this server: under `server.baseUrlPath` like Streamlit's own (a proxy
    that serves the app under /3cd/ passes /3cd/… on; `st.App` does not prefix an app's routes)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{PATH}" if base else PATH


def follow_new_data(rt: Runtime, drawn: str) -> None:
    """Keep the page drawn from version `drawn` live: rerun it when the route says otherwise."""
    _component(
        key="tcd_follow_new_data",
        data={"url": _url(), "drawn": drawn, "every": EVERY_SECONDS, "at": _at(rt)},
        on_changed_change=lambda: None,  # the trigger's rerun is the whole point
    )


def _data_version(request: Request) -> JSONResponse:
    """GET the data version and the server's time (a plain function: Starlette runs it in its
    thread pool, so a store that must be asked never holds up the event loop)."""
    no_store = {"Cache-Control": "no-store"}
    try:
        rt = _ui.runtime()
        body: dict[str, Any] = {"version": token(rt), "at": _at(rt)}
    except (SettingsError, StoreError) as exc:
        log.warning("Không trả lời được phiên bản dữ liệu: %s", exc)
        return JSONResponse({"error": "unavailable"}, status_code=503, headers=no_store)
    return JSONResponse(body, headers=no_store)


def routes() -> list[Route]:
    """The app's own HTTP routes, served beside Streamlit's."""
    return [Route(_url(), _data_version, methods=["GET"])]
