"""A small sticky load balancer for Streamlit on loopback (helper of benchmarks/two_servers.py).

What a production balancer (nginx, HAProxy) does for Streamlit, reduced to what the benchmark
needs: it accepts HTTP/1.1 connections on 127.0.0.1, reads each connection's first request head,
and sends the connection to one app server — the one named by the `tcd_server` cookie when the
browser has it (session affinity), otherwise the next one in turn, and then it adds
`Set-Cookie: tcd_server=…` to that server's response head so that the browser's later requests
(the websocket `/_stcore/stream` after the page, uploads, media) reach the same server. After the
first head, bytes are copied both ways unchanged, so a websocket upgrade passes through as it is.

Bounded: only 127.0.0.1, at most `max_connections` connections in its lifetime, and it stops when
its `serve` task is cancelled.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

COOKIE = "tcd_server"
HEAD_LIMIT = 64 * 1024


@dataclass
class Balancer:
    """Sticky round robin over `backends` (ports on 127.0.0.1)."""

    backends: list[int]
    max_connections: int = 20_000
    port: int = 0
    connections: int = 0
    by_backend: dict[int, int] = field(default_factory=dict)
    _turn: itertools.cycle = field(init=False, repr=False)
    _server: asyncio.Server | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._turn = itertools.cycle(range(len(self.backends)))

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _choose(self, head: bytes) -> tuple[int, bool]:
        """The backend index for this request head, and whether it is a new assignment."""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() != b"cookie":
                continue
            for part in value.decode("latin-1").split(";"):
                key, _, chosen = part.strip().partition("=")
                if key == COOKIE and chosen.isdigit() and int(chosen) < len(self.backends):
                    return int(chosen), False
        return next(self._turn), True

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.connections > self.max_connections:
            writer.close()
            return
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        index, new = self._choose(head)
        port = self.backends[index]
        self.by_backend[port] = self.by_backend.get(port, 0) + 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            writer.close()
            return
        up_writer.write(head)
        await asyncio.gather(
            self._copy(reader, up_writer),
            self._answer(up_reader, writer, index if new else None),
            return_exceptions=True,
        )

    async def _answer(
        self, up: asyncio.StreamReader, writer: asyncio.StreamWriter, assigned: int | None
    ) -> None:
        """The server's response head (with the affinity cookie when just assigned), then bytes."""
        if assigned is not None:
            head = await up.readuntil(b"\r\n\r\n")
            cookie = f"Set-Cookie: {COOKIE}={assigned}; Path=/; HttpOnly; SameSite=Lax\r\n"
            head = head[:-2] + cookie.encode() + b"\r\n"
            writer.write(head)
        await self._copy(up, writer)

    @staticmethod
    async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        finally:
            sink.close()
