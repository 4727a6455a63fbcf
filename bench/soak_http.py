"""Keep-alive HTTP/1.1 connections to one server, written as raw bytes.

The load generator must cost little next to the hub it loads: httpx tops out near 400
requests/s on this box (bench/http.py), below the soak's peak.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass, field, replace

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True)
class Answer:
    """A response's status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes
    waited: float = 0.0  # seconds waiting for a free connection slot, before sending
    seconds: float = 0.0  # from writing the request to reading the whole answer


@dataclass
class Http:
    """A pool of keep-alive connections; a new one when all are busy, up to `limit` at once."""

    port: int
    limit: int = 1024
    opened: int = 0
    _idle: list[Connection] = field(default_factory=list)
    _slots: asyncio.Semaphore | None = None

    async def get(self, path: str) -> Answer:
        """One GET."""
        return await self.request("GET", path, {}, b"")

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        """One POST (see `request`)."""
        return await self.request("POST", path, headers, body)

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        """One request; a connection the server closed while idle is replaced and the request sent
        again (it never reached the server). Raises OSError or IncompleteReadError otherwise."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        request = (
            f"{method} {path} HTTP/1.1\r\nhost: hub\r\n{head}content-length: {len(body)}\r\n\r\n"
        ).encode() + body
        asked = time.perf_counter()
        async with self._slots:
            began = time.perf_counter()
            conn = self._idle.pop() if self._idle else await self._open()
            try:
                status = await self._send(conn, request)
                if not status:
                    conn[1].close()
                    conn = await self._open()
                    status = await self._send(conn, request)
                answer = await _read(conn[0], status)
            except BaseException:
                conn[1].close()
                raise
            if answer.headers.get("connection") == "close":
                conn[1].close()
            else:
                self._idle.append(conn)
            return replace(answer, waited=began - asked, seconds=time.perf_counter() - began)

    async def _send(self, conn: Connection, request: bytes) -> bytes:
        conn[1].write(request)
        return await conn[0].readline()

    async def _open(self) -> Connection:
        self.opened += 1
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reader, writer

    def close(self) -> None:
        """Close every idle connection."""
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


async def _read(reader: asyncio.StreamReader, status: bytes) -> Answer:
    parts = status.split()
    if len(parts) < 2 or not parts[1].isdigit():
        raise ConnectionError(f"not an HTTP status line: {status!r}")
    headers = {}
    while (line := await reader.readline()) != b"\r\n":
        if not line:
            raise ConnectionError(f"connection closed mid-response after {status!r}")
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Answer(int(parts[1]), headers, body)
