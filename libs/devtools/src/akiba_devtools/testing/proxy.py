"""A TCP proxy a test controls: cut the link, cut it in the middle of a transfer, restore it.

It runs its own event loop on its own thread, so a test that blocks (a broker restart, a
burst of SQLite writes) never stalls the traffic it relays, and a test can drive it from
sync or async code alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

T = TypeVar("T")
Direction = Literal["up", "down"]  # up: client → target; down: target → client
CHUNK = 64 * 1024


@dataclass
class _Trip:
    """Cut everything once `remaining` more bytes went `direction` (the rest is lost)."""

    direction: Direction
    remaining: int


class TcpProxy:
    """Listens on 127.0.0.1:<port> and relays each connection to `target_host:target_port`."""

    def __init__(self, target_host: str, target_port: int, *, port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self.bytes = {"up": 0, "down": 0}
        self.connections = 0
        self.cuts = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._trip: _Trip | None = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>, for HTTP clients that should go through the proxy."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_up(self) -> bool:
        """Whether it accepts connections now."""
        return self._server is not None

    def start(self) -> TcpProxy:
        """Start relaying (the port is chosen now if it was 0)."""
        self._thread.start()
        self._call(self._listen())
        return self

    def cut(self) -> None:
        """Refuse new connections and drop the open ones, as a dead link would."""
        self._call(self._cut())

    def restore(self) -> None:
        """Accept and relay again, on the same port."""
        self._call(self._listen())

    def cut_after(self, nbytes: int, direction: Direction = "up") -> None:
        """Cut the link once `nbytes` more bytes went that way: in the middle of a transfer."""
        self._call(self._arm(_Trip(direction, nbytes)))

    @property
    def tripped(self) -> bool:
        """Whether a cut armed with `cut_after` has happened."""
        return self._trip is None

    def stop(self) -> None:
        """Drop everything and stop the thread."""
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            self._call(self._cut())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _arm(self, trip: _Trip) -> None:
        self._trip = trip

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._accept, "127.0.0.1", self.port, reuse_address=True
            )
            self.port = int(self._server.sockets[0].getsockname()[1])

    async def _cut(self) -> None:
        self.cuts += 1
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()
        if server is not None:
            with contextlib.suppress(Exception):
                await server.wait_closed()

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            target_r, target_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.transport.abort()
            return
        if self._server is None:  # cut while we were connecting
            client_w.transport.abort()
            target_w.transport.abort()
            return
        self.connections += 1
        self._links |= {client_w, target_w}
        try:
            await asyncio.gather(
                self._pipe(client_r, target_w, "up"),
                self._pipe(target_r, client_w, "down"),
            )
        finally:
            for w in (client_w, target_w):
                self._links.discard(w)
                w.transport.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, direction: Direction
    ) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, RuntimeError):
            while data := await reader.read(CHUNK):
                trip = self._trip
                if trip is not None and trip.direction == direction:
                    if len(data) >= trip.remaining:
                        writer.write(data[: trip.remaining])  # part of it, then the link dies
                        self.bytes[direction] += trip.remaining
                        self._trip = None
                        await self._drop_links()
                        return
                    trip.remaining -= len(data)
                writer.write(data)
                self.bytes[direction] += len(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()

    async def _drop_links(self) -> None:
        """A mid-transfer cut: open connections die, the listener stays (the link comes back)."""
        self.cuts += 1
        for w in list(self._links):
            w.transport.abort()
        self._links.clear()
