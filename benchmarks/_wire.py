"""One browser-like Streamlit session spoken at the websocket level (helper of benchmarks/load.py).

A browser tab talks to `streamlit run` over one websocket (`/_stcore/stream`) carrying protobuf
messages: it sends a `BackMsg.rerun_script` (the page, every widget's value, the hashes of large
messages it already holds) and receives `ForwardMsg`s (elements, navigation, fragment timers) until
`script_finished`. This client does the same, so hundreds of sessions fit in one process: it keeps
the widget values it set, the page list from the `navigation` message, the auto-refresh fragments
announced by `auto_rerun`, and the message cache a browser keeps (so the server sends a reference
instead of a large message the client already has, as it does for a browser).

The app's dashboard keeps itself live without a fragment (`pages/_live`): a component holds the
data version the page was drawn from, and its script GETs the version route every few seconds and
reruns the page when the answer differs. `watch` is that component's data; `check()` does what its
script does (the GET, and the rerun when the version changed), with the cookies the tab sends.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect

FINISHED_OK = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


LIVE = "tcd_follow_new_data"  # the live component of pages/_live


def _get(request: urllib.request.Request, timeout: float) -> bytes:
    with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - loopback only
        return reply.read()


class RunFailed(Exception):
    """A script run ended badly (an exception on the page, the connection closed, a timeout)."""


@dataclass
class Run:
    """One script run as the client saw it."""

    kind: str  # "page" (a full rerun), "fragment" (an auto-refresh tick), "check" (a version GET)
    seconds: float
    bytes: int
    ok: bool


@dataclass
class Session:
    """A browser tab: one websocket, its widget values, its pages and fragments."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)  # e.g. the cookies a browser sends
    xsrf: str = ""  # the XSRF token a browser sends as the second subprotocol (with its cookie)
    ws: ClientConnection | None = None
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    page_hash: str = ""
    widgets: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (id, value)
    selectboxes: dict[str, tuple[str, list[str]]] = field(
        default_factory=dict
    )  # label -> id, options
    fragments: dict[str, float] = field(default_factory=dict)  # fragment id -> interval (s)
    watch: dict[str, Any] | None = None  # the live component's data: url, drawn, every
    cached: set[str] = field(default_factory=set)
    exceptions: int = 0
    _finished: asyncio.Future | None = None
    _bytes: int = 0
    _reader: asyncio.Task | None = None

    async def open(self) -> None:
        self.ws = await connect(
            self.url,
            subprotocols=["streamlit", self.xsrf] if self.xsrf else ["streamlit"],
            max_size=None,
            open_timeout=60,
            ping_interval=None,
            additional_headers=self.headers,
        )
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()

    async def run(self, page: str | None = None, fragment: str = "", timeout: float = 120) -> Run:
        """Rerun the script (on `page`, a url path, if given) and wait for `script_finished`."""
        if page is not None:
            self.page_hash = self.pages.get(page, "")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = self.page_hash
        for widget_id, value in self.widgets.values():
            w = state.widget_states.widgets.add()
            w.id, w.string_value = widget_id, value
        state.cached_message_hashes.extend(self.cached)
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, True
        loop = asyncio.get_running_loop()
        self._finished, self._bytes = loop.create_future(), 0
        started = time.perf_counter()
        assert self.ws is not None
        await self.ws.send(msg.SerializeToString())
        try:
            status = await asyncio.wait_for(self._finished, timeout)
        except (TimeoutError, RunFailed):
            return Run("fragment" if fragment else "page", time.perf_counter() - started, 0, False)
        seconds = time.perf_counter() - started
        return Run("fragment" if fragment else "page", seconds, self._bytes, status in FINISHED_OK)

    async def check(self, timeout: float = 120) -> tuple[Run, bool]:
        """GET the data version as the live component's script does: the check, and whether the
        version differs from the one the page was drawn from (the script would rerun the page)."""
        assert self.watch is not None
        http = "http" + self.url.removeprefix("ws").split("/_stcore/")[0]
        request = urllib.request.Request(http + self.watch["url"], headers=self.headers)
        started = time.perf_counter()
        try:
            body = await asyncio.to_thread(_get, request, timeout)
        except OSError:
            return Run("check", time.perf_counter() - started, 0, False), False
        run = Run("check", time.perf_counter() - started, len(body), True)
        return run, json.loads(body)["version"] != self.watch["drawn"]

    def choose(self, label: str, index: int) -> None:
        """Set a selectbox (by its label) to its `index`-th option, as a click in the browser."""
        widget_id, options = self.selectboxes[label]
        self.widgets[label] = (widget_id, options[index])

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for data in self.ws:
                self._bytes += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except Exception as exc:  # noqa: BLE001 - the connection is gone: fail the waiting run
            if self._finished is not None and not self._finished.done():
                self._finished.set_exception(RunFailed(repr(exc)))

    def _handle(self, msg: ForwardMsg) -> None:
        if msg.metadata.cacheable and msg.hash:
            self.cached.add(msg.hash)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element)
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
        elif kind == "new_session":
            self.page_hash = self.page_hash or msg.new_session.page_script_hash
        elif kind in ("auto_rerun", "stop_auto_rerun"):
            self._fragments(msg)
        elif kind == "script_finished":
            if self._finished is not None and not self._finished.done():
                self._finished.set_result(msg.script_finished)

    def _element(self, element) -> None:
        what = element.WhichOneof("type")
        if what == "bidi_component" and element.bidi_component.component_name == LIVE:
            self.watch = json.loads(element.bidi_component.json)
        elif what == "selectbox":
            box = element.selectbox
            self.selectboxes[box.label] = (box.id, list(box.options))
        elif what == "exception":
            self.exceptions += 1

    def _fragments(self, msg: ForwardMsg) -> None:
        """Track the fragments that rerun by themselves (the dashboard's auto-refresh)."""
        if msg.WhichOneof("type") == "auto_rerun":
            self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            return
        for fragment_id in msg.stop_auto_rerun.fragment_ids:
            self.fragments.pop(fragment_id, None)
