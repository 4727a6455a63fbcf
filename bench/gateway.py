"""The sync gateway's local record as a site runs it: a real process, real HTTP, real fsyncs.

The gateway runs as `python -m akiba_sync_gateway serve --roles api` (uvicorn, the local
token check, the shared stock rules, SQLite WAL with synchronous=FULL); a receipt answers
201 only after its transaction committed. The load comes from this process over keep-alive
HTTP/1.1 connections, written as raw bytes so the client costs little next to the server.

- max rate: events/s with 1 sender (one app, one document at a time) and with 32 concurrent
  senders (a busy site: group commit shares each fsync among the writes queued together);
- latency at 500 events/s offered open-loop: sends are scheduled at fixed times whatever
  the answers do, and each latency runs from the event's *scheduled* time to its 201, so a
  stall also counts for everything queued behind it (no coordinated omission);
- raw baseline, same run and disk: one sqlite3 row inserted and committed per event with
  the same settings (one writer thread), flat out and at the same offered rate.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil
from argon2 import PasswordHasher

from akiba_contracts.sync import SiteCredentials, SiteUser
from akiba_sync_gateway.adapters import credentials
from akiba_sync_gateway.adapters.db import Database, connect
from bench.http_load import free_port

RATE = 500  # events/s offered, the target load
TARGET_P99_MS = 10.0
SENDERS = 32
Send = Callable[[], Awaitable[None]]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _offered(send: Send, rate: int, seconds: float) -> list[float]:
    """Send at a fixed rate; each latency runs from the event's scheduled time to its ack."""
    latencies: list[float] = []
    start = time.perf_counter() + 0.01

    async def one(due: float) -> None:
        await send()
        latencies.append(time.perf_counter() - due)

    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return latencies


async def _flat_out(send: Send, seconds: float, senders: int = 1) -> float:
    """Events/s with this many senders, each sending its next event once the last is acked."""
    n, start = 0, time.perf_counter()

    async def sender() -> None:
        nonlocal n
        while time.perf_counter() - start < seconds:
            await send()
            n += 1

    await asyncio.gather(*(sender() for _ in range(senders)))
    return n / (time.perf_counter() - start)


class RawHttp:
    """Keep-alive HTTP/1.1 connections sending one prepared request (or one made per send, for
    a new Idempotency-Key each time); a new connection when all are busy."""

    def __init__(self, port: int, request: bytes | Callable[[], bytes]) -> None:
        self._port, self._request = port, request
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = self.acked = 0

    async def send(self) -> None:
        """Send the request on an idle connection; raise unless it answered 201."""
        conn = self._idle.pop() if self._idle else await self._open()
        reader, writer = conn
        request = self._request() if callable(self._request) else self._request
        writer.write(request)
        status = await reader.readline()
        if not status:
            # uvicorn closes a connection idle past its keep-alive timeout (between
            # phases); the request never reached it, so it is sent again on a new one.
            writer.close()
            reader, writer = conn = await self._open()
            writer.write(request)
            status = await reader.readline()
        length = 0
        while (line := await reader.readline()) != b"\r\n":
            if not line:
                raise ConnectionError(f"connection closed mid-response after {status!r}")
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length)
        if status.split()[1] != b"201":
            raise AssertionError(f"{status!r} {body!r}")
        self.acked += 1
        self._idle.append(conn)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.opened += 1
        reader, writer = await asyncio.open_connection("127.0.0.1", self._port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reader, writer

    def close(self) -> None:
        """Close every idle connection."""
        for _, writer in self._idle:
            writer.close()


def _receipt(store: uuid.UUID, item: uuid.UUID, token: str, key: str | None = None) -> bytes:
    body = orjson.dumps({"item_id": str(item), "lot_code": "L1", "quantity": 1})
    keyed = f"idempotency-key: {key}\r\n" if key else ""
    head = (
        f"POST /stores/{store}/receipts HTTP/1.1\r\nhost: gateway\r\n"
        f"authorization: Bearer {token}\r\ncontent-type: application/json\r\n{keyed}"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _phases(http: RawHttp, gateway: psutil.Process, seconds: float) -> dict[str, float]:
    """Receipts/s with 1 and with SENDERS senders, and the gateway's CPU per receipt."""
    found = {"1 sender": await _flat_out(http.send, seconds)}
    cpu, acked = sum(gateway.cpu_times()[:2]), http.acked
    found[f"{SENDERS} senders"] = await _flat_out(http.send, seconds, SENDERS)
    found["cpu per event"] = (sum(gateway.cpu_times()[:2]) - cpu) / (http.acked - acked)
    return found


def _seed(path: str, site_id: uuid.UUID, store: uuid.UUID, item: uuid.UUID) -> None:
    db = Database(path)
    conn = db._writer
    # ready: central has said where the store's ledger stands (a new store: at its start).
    conn.execute(
        "INSERT INTO stores (store_id, code, name, managed, ready) VALUES (?, 'S', 'S', 1, 1)",
        (str(store),),
    )
    conn.execute(
        "INSERT INTO items (item_id, code, name, active, version) VALUES (?, 'I', 'Item', 1, 1)",
        (str(item),),
    )
    perms = [f"STOCK_ADJUST|{store}|{uuid.uuid4()}"]
    user = SiteUser(
        user_id=uuid.uuid4(), username="bench", active=True, home_facility_id=store, version=1,
        password_hash=PasswordHasher(1, 8, parallelism=1).hash("pw"), permissions=perms,
    )  # fmt: skip
    creds = SiteCredentials(
        site_id=site_id, store_ids=[store], users=[user], issued_at="2024-01-01T00:00:00Z"
    )  # type: ignore[arg-type]
    credentials.cache_credentials(conn, creds)
    db.close()


def start(path: str, site_id: uuid.UUID, port: int) -> subprocess.Popen[bytes]:
    """`python -m akiba_sync_gateway serve --roles api` on the file, as a site runs it."""
    env = {
        **os.environ,
        "AKIBA_GATEWAY_SITE_ID": str(site_id),
        "AKIBA_GATEWAY_DATABASE_PATH": path,
        "AKIBA_GATEWAY_HTTP_PORT": str(port),
        "AKIBA_GATEWAY_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "akiba_sync_gateway", "serve", "--roles", "api"]
    return subprocess.Popen(cmd, env=env)


async def wait_ready(client: httpx.AsyncClient, proc: subprocess.Popen[bytes]) -> None:
    """Poll /health until the gateway answers; fail if it exits or a minute passes."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the gateway did not start")


async def _gateway(folder: Path, seconds: float) -> dict[str, Any]:
    site, store, item = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    path, port = str(folder / "gateway.sqlite3"), free_port()
    _seed(path, site, store, item)
    proc = start(path, site, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await wait_ready(client, proc)
            form = {"grant_type": "password", "username": "bench", "password": "pw"}
            token = (await client.post("/oauth/token", data=form)).json()["access_token"]
        http = RawHttp(port, _receipt(store, item, token))
        keyed = RawHttp(port, lambda: _receipt(store, item, token, uuid.uuid4().hex))
        await _flat_out(http.send, 1.0)  # warm-up: imports, first connections, caches
        await _flat_out(keyed.send, 1.0)
        gateway = psutil.Process(proc.pid)
        found: dict[str, Any] = await _phases(http, gateway, seconds)
        found["keyed"] = await _phases(keyed, gateway, seconds)
        found |= {
            "latencies": await _offered(http.send, RATE, seconds),
            "keyed latencies": await _offered(keyed.send, RATE, seconds),
            "connections": http.opened + keyed.opened,
            "acked": http.acked + keyed.acked,
            "rss": gateway.memory_info().rss,
        }
        http.close()
        keyed.close()
    finally:
        proc.terminate()
        proc.wait(30)
    conn = connect(path)
    (found["events"],) = conn.execute("SELECT count(*) FROM outbox").fetchone()
    (found["gaps"],) = conn.execute(
        "SELECT count(*) - (max(store_sequence) - min(store_sequence) + 1) FROM ledger"
    ).fetchone()
    conn.close()
    return found


async def _raw(folder: Path, seconds: float) -> dict[str, Any]:
    conn = connect(str(folder / "raw.sqlite3"))
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, body BLOB)")
    pool = asyncio.get_running_loop()
    blob = b"x" * 1200  # about one encoded receipt event

    def insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?)", (uuid.uuid4().hex, blob))
        conn.execute("COMMIT")

    writer = ThreadPoolExecutor(1)

    async def send() -> None:
        await pool.run_in_executor(writer, insert)

    try:
        rate = await _flat_out(send, seconds)
        latencies = await _offered(send, RATE, seconds)
    finally:
        writer.shutdown()
        conn.close()
    return {"events/s": rate, "latencies": latencies}


def _latency(what: str, values: list[float]) -> dict[str, float]:
    points = {"p50": statistics.median(values), "p99": _percentile(values, 0.99)}
    points["max"] = max(values)
    return {f"{what} ms at {RATE}/s, {k}": round(v * 1e3, 2) for k, v in points.items()}


async def run(seconds: float = 5.0) -> dict[str, Any]:
    """Gateway and raw figures, and their ratios."""
    with tempfile.TemporaryDirectory(prefix="akiba-gw-bench-") as tmp:
        ours = await _gateway(Path(tmp), seconds)
        raw = await _raw(Path(tmp), seconds)
    lat, raw_lat = ours["latencies"], raw["latencies"]
    p99, raw_p99 = _percentile(lat, 0.99), _percentile(raw_lat, 0.99)
    best = max(ours["1 sender"], ours[f"{SENDERS} senders"])
    keyed = ours["keyed"]
    return {
        "gateway record events/s (1 sender)": round(ours["1 sender"]),
        f"gateway record events/s ({SENDERS} senders)": round(ours[f"{SENDERS} senders"]),
        "raw sqlite insert+commit/s (FULL, 1 writer)": round(raw["events/s"]),
        "gateway (1 sender) / raw": round(ours["1 sender"] / raw["events/s"], 3),
        f"gateway ({SENDERS} senders) / raw": round(best / raw["events/s"], 3),
        f"gateway CPU ms per event ({SENDERS} senders)": round(ours["cpu per event"] * 1e3, 3),
        "with Idempotency-Key: events/s (1 sender)": round(keyed["1 sender"]),
        f"with Idempotency-Key: events/s ({SENDERS} senders)": round(keyed[f"{SENDERS} senders"]),
        f"with Idempotency-Key: CPU ms per event ({SENDERS} senders)": round(
            keyed["cpu per event"] * 1e3, 3
        ),
        "with / without Idempotency-Key (1 sender)": round(keyed["1 sender"] / ours["1 sender"], 3),
        **_latency("gateway ack", lat),
        **_latency("gateway ack with Idempotency-Key", ours["keyed latencies"]),
        **_latency("raw commit", raw_lat),
        "gateway p99 / raw p99": round(p99 / raw_p99, 2) if raw_p99 else None,
        f"p99 under {TARGET_P99_MS} ms": p99 * 1e3 < TARGET_P99_MS,
        "events acknowledged 201": ours["acked"],
        "events in the outbox (checked: the same)": ours["events"],
        "store sequence gaps (checked: 0)": ours["gaps"],
        "client connections opened": ours["connections"],
        "gateway RSS MB after the run": round(ours["rss"] / 2**20),
    }
