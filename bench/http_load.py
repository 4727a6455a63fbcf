"""Load over HTTP from the bench: a minimal keep-alive client and clients calling back to back."""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import psutil

WARM_UP_SECONDS = 1.0


@dataclass
class Load:
    """What one load run did: latencies of the timed requests, wall and CPU times."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    warm_up: int = 0

    @property
    def rate(self) -> float:
        """Requests per second."""
        return len(self.latencies) / self.wall if self.wall else 0.0

    def ms(self, q: float) -> float:
        """The q-quantile latency in milliseconds."""
        lat = sorted(self.latencies)
        return lat[min(len(lat) - 1, int(len(lat) * q))] * 1000 if lat else 0.0


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(p: psutil.Process) -> float:
    """The process's user and system CPU seconds so far."""
    t = p.cpu_times()
    return float(t.user + t.system)


Call = Callable[[random.Random], Awaitable[None]]


class Client:
    """A keep-alive HTTP/1.1 connection for JSON: cheap enough not to be the limit.

    (httpx at 16 concurrent requests tops out near 400 requests/s on this machine, below the
    server under test.)
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes):
        self._reader = reader
        self._writer = writer
        self._head = head

    @classmethod
    async def open(cls, url: str, headers: dict[str, str]) -> Client:
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head = f"host: {host}:{port}\r\ncontent-type: application/json\r\n{extra}"
        return cls(reader, writer, head.encode())

    async def post(self, path: str, body: bytes, headers: bytes = b"") -> tuple[int, bytes]:
        """Send one POST (`headers`: extra header lines, each ending CRLF); the status and body."""
        return await self._send(b"POST", path, body, headers)

    async def get(self, path: str) -> tuple[int, bytes]:
        """Send one GET; return the status and the body of the response."""
        return await self._send(b"GET", path, b"", b"")

    async def _send(
        self, method: bytes, path: str, body: bytes, headers: bytes
    ) -> tuple[int, bytes]:
        self._writer.write(
            b"%s %s HTTP/1.1\r\n%s%scontent-length: %d\r\n\r\n%s"
            % (method, path.encode(), self._head, headers, len(body), body)
        )
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return status, await self._reader.readexactly(int(value))
        raise AssertionError(f"no content-length in {head!r}")

    async def close(self) -> None:
        """Close the connection."""
        self._writer.close()
        await self._writer.wait_closed()


async def http_load(
    url: str,
    headers: dict[str, str],
    make_call: Callable[[Client], Call],
    concurrency: int,
    seconds: float,
    server: psutil.Process,
) -> Load:
    """`concurrency` clients making calls back to back: a warm-up second, then `seconds`."""
    clients = [await Client.open(url, headers) for _ in range(concurrency)]
    load = Load()
    try:
        calls = [make_call(c) for c in clients]
        warm: list[float] = []
        await _clients(calls, WARM_UP_SECONDS, warm)
        load.warm_up = len(warm)
        cpu0, proc0, wall0 = cpu_seconds(server), time.process_time(), time.perf_counter()
        await _clients(calls, seconds, load.latencies)
        load.wall = time.perf_counter() - wall0
        load.client_cpu = time.process_time() - proc0
        load.server_cpu = cpu_seconds(server) - cpu0
    finally:
        for c in clients:
            await c.close()
    return load


async def _clients(
    calls: list[Call],
    seconds: float,
    latencies: list[float],
) -> None:
    """Each call in a loop of its own, back to back, until the deadline."""
    deadline = time.perf_counter() + seconds

    async def client(i: int, call: Call) -> None:
        rng = random.Random(i)
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            await call(rng)
            latencies.append(time.perf_counter() - began)

    await asyncio.gather(*(client(i, c) for i, c in enumerate(calls)))
