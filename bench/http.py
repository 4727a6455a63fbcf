"""HTTP receipts: a real `akiba-inventory serve --roles api,relay` process at fixed concurrency.

The process runs on a fresh database of central stores, with the bench's Kafka; its token is
signed by a test key published on auth's topics with a user grant on every bench store, as the
end-to-end tests do. A trigger routes every outbox row to the run's own topic, so the relay
never writes into a deployment's topics. Next to it, in the same run and at the same
concurrency: the same number of single-row INSERTs through asyncpg (one commit each, into a
copy of stock_movements), and a trivial FastAPI route returning 201 under the same uvicorn and
the same client.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from akiba_contracts.catalogue import dlq_topic
from akiba_devtools.testing import ServiceProcess
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_platform.db import create_pool
from akiba_platform.migrations import migrate
from bench.env import MOVEMENTS, Env, _database, _topics_ready
from bench.measure import wait_for

STORES = 64  # 16 clients on random stores: some queue on a store's row lock, as in life
ITEMS = 200
LOTS = 3
WARM_UP_SECONDS = 1.0

_ROUTE_ALL = """
create function bench_route_all() returns trigger language plpgsql as $$
begin new.topic := '{target}'; return new; end $$;
create trigger bench_route_all before insert on outbox for each row
    execute function bench_route_all();
"""

_TRIVIAL = """
import sys
import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.post("/stores/{store_id}/receipts", status_code=201)
async def receipt(store_id: str, body: dict) -> dict:
    return {"store_id": store_id, **body}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
"""


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


async def run(env: Env, concurrency: int = 16, seconds: float = 10.0) -> dict[str, float]:
    """The receipt endpoint, then the raw INSERT and trivial-route baselines."""
    prefix = env.raw_topic.rsplit(".", 1)[0]  # bench.<run>
    target = f"{prefix}.http"
    async with AsyncExitStack() as cleanup:
        server = env.dsn.rsplit("/", 1)[0]
        dsn = await _database(server, f"akiba_bench_{prefix.split('.')[1]}_http", cleanup)
        topics = [
            replace(MOVEMENTS, name=target),
            replace(dlq_topic(MOVEMENTS), name=f"{target}.dlq"),
        ]
        await _topics_ready(env.bootstrap, topics, cleanup)
        await migrate(dsn, {"inventory": MIGRATIONS})
        pool = await create_pool(dsn, max_size=concurrency + 2)
        cleanup.push_async_callback(pool.close)
        await pool.execute(_ROUTE_ALL.format(target=target.replace("'", "''")))
        stores, items = await _reference_data(pool)
        auth = AuthOnKafka(env.bootstrap)
        await auth.publish_key()
        program = uuid.uuid4()
        _, token = await auth.user(*(f"STOCK_ADJUST|{s}|{program}" for s in stores))
        workdir = Path(tempfile.mkdtemp(prefix="akiba-bench-http-"))
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        port = free_port()
        proc = ServiceProcess(
            "akiba_inventory",
            ["serve", "--roles", "api,relay"],
            {
                "AKIBA_DATABASE_URL": dsn,
                "AKIBA_KAFKA_BOOTSTRAP_SERVERS": env.bootstrap,
                "AKIBA_HTTP_PORT": str(port),
                "AKIBA_OTEL_EXPORTER": "none",
                "AKIBA_LOG_LEVEL": "WARNING",
            },
            workdir / "inventory.log",
        ).start()
        cleanup.callback(proc.stop)
        url = f"http://127.0.0.1:{port}"
        await wait_for(lambda: _ready(url, proc), what="the inventory API", timeout=90)
        body = _receipt_body(items)
        headers = {"authorization": f"Bearer {token}"}
        load = await _http_load(url, headers, stores, body, concurrency, seconds, _server(proc))
        recorded = int(await pool.fetchval("select count(*) from stock_movements"))
        if recorded != len(load.latencies) + load.warm_up:
            raise AssertionError(f"{recorded} ledger rows for {len(load.latencies)} receipts")
        raw = await _raw_inserts(pool, len(load.latencies), concurrency)
        trivial = await _trivial(workdir, headers, stores, body, concurrency, seconds)
    return {
        "concurrency (clients)": concurrency,
        "receipts (timed)": len(load.latencies),
        "receipts/s": load.rate,
        "receipt p50 ms": load.ms(0.50),
        "receipt p99 ms": load.ms(0.99),
        "server process CPU (% of one core)": load.server_cpu / load.wall * 100,
        "server CPU ms per receipt": load.server_cpu / max(len(load.latencies), 1) * 1000,
        "bench client CPU (% of one core)": load.client_cpu / load.wall * 100,
        "raw single-row INSERTs/s": raw.rate,
        "raw INSERT p50 ms": raw.ms(0.50),
        "raw INSERT p99 ms": raw.ms(0.99),
        "trivial FastAPI route requests/s": trivial.rate,
        "trivial route p50 ms": trivial.ms(0.50),
        "trivial route p99 ms": trivial.ms(0.99),
        "trivial route server CPU (% of one core)": trivial.server_cpu / trivial.wall * 100,
        "receipts / raw INSERTs": load.rate / raw.rate,
        "receipts / trivial route": load.rate / trivial.rate,
    }


async def _reference_data(pool: asyncpg.Pool[Any]) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    stores = [uuid.uuid4() for _ in range(STORES)]
    items = [uuid.uuid4() for _ in range(ITEMS)]
    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "stores",
            records=[(s, f"HS{i:04d}", f"Store {i}") for i, s in enumerate(stores)],
            columns=("store_id", "code", "name"),
        )
        await conn.copy_records_to_table(
            "items",
            records=[(x, f"HI{i:05d}", f"Item {i}") for i, x in enumerate(items)],
            columns=("item_id", "code", "name"),
        )
    return stores, items


def _receipt_body(items: list[uuid.UUID]) -> Callable[[random.Random], dict[str, Any]]:
    def body(rng: random.Random) -> dict[str, Any]:
        return {
            "item_id": str(rng.choice(items)),
            "lot_code": f"LOT-{rng.randrange(LOTS)}",
            "expiry_date": "2030-06-30",
            "quantity": rng.randint(1, 1_000),
            "reference": "GRN-bench",
        }

    return body


async def _ready(url: str, proc: ServiceProcess) -> bool:
    if proc.returncode is not None:
        raise RuntimeError(f"inventory exited with {proc.returncode}:\n{proc.output()[-3000:]}")
    async with httpx.AsyncClient() as c:
        try:
            return (await c.get(f"{url}/ready")).status_code == 200
        except httpx.TransportError:
            return False


def _server(proc: ServiceProcess | subprocess.Popen[bytes]) -> psutil.Process:
    """The process serving: our child running the module or script."""
    if isinstance(proc, subprocess.Popen):
        return psutil.Process(proc.pid)
    children = [
        c for c in psutil.Process().children() if "akiba_inventory" in " ".join(c.cmdline())
    ]
    if len(children) != 1:
        raise RuntimeError(f"expected one inventory process, found {children}")
    return children[0]


def _cpu(p: psutil.Process) -> float:
    t = p.cpu_times()
    return float(t.user + t.system)


class _Client:
    """A keep-alive HTTP/1.1 connection that only POSTs JSON: cheap enough not to be the limit.

    (httpx at 16 concurrent requests tops out near 400 requests/s on this machine, below the
    server under test.)
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes):
        self._reader = reader
        self._writer = writer
        self._head = head

    @classmethod
    async def open(cls, url: str, headers: dict[str, str]) -> _Client:
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head = f"host: {host}:{port}\r\ncontent-type: application/json\r\n{extra}"
        return cls(reader, writer, head.encode())

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """Send one request; return the status and the body of the response."""
        self._writer.write(
            b"POST %s HTTP/1.1\r\n%scontent-length: %d\r\n\r\n%s"
            % (path.encode(), self._head, len(body), body)
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


async def _http_load(
    url: str,
    headers: dict[str, str],
    stores: list[uuid.UUID],
    body: Callable[[random.Random], dict[str, Any]],
    concurrency: int,
    seconds: float,
    server: psutil.Process,
) -> Load:
    """`concurrency` clients posting receipts back to back: a warm-up second, then `seconds`."""
    clients = [await _Client.open(url, headers) for _ in range(concurrency)]
    load = Load()
    try:
        calls = [_poster(c, stores, body) for c in clients]
        warm: list[float] = []
        await _clients(calls, WARM_UP_SECONDS, warm)
        load.warm_up = len(warm)
        cpu0, proc0, wall0 = _cpu(server), time.process_time(), time.perf_counter()
        await _clients(calls, seconds, load.latencies)
        load.wall = time.perf_counter() - wall0
        load.client_cpu = time.process_time() - proc0
        load.server_cpu = _cpu(server) - cpu0
    finally:
        for c in clients:
            await c.close()
    return load


def _poster(
    client: _Client, stores: list[uuid.UUID], body: Callable[[random.Random], dict[str, Any]]
) -> Callable[[random.Random], Awaitable[None]]:
    async def post(rng: random.Random) -> None:
        path = f"/stores/{rng.choice(stores)}/receipts"
        status, text = await client.post(path, json.dumps(body(rng)).encode())
        if status != 201:
            raise AssertionError(f"{status}: {text[:500]!r}")

    return post


async def _clients(
    calls: list[Callable[[random.Random], Awaitable[None]]],
    seconds: float,
    latencies: list[float],
) -> None:
    """Each call in a loop of its own, back to back, until the deadline."""
    deadline = time.perf_counter() + seconds

    async def client(i: int, call: Callable[[random.Random], Awaitable[None]]) -> None:
        rng = random.Random(i)
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            await call(rng)
            latencies.append(time.perf_counter() - began)

    await asyncio.gather(*(client(i, c) for i, c in enumerate(calls)))


async def _raw_inserts(pool: asyncpg.Pool[Any], n: int, concurrency: int) -> Load:
    """n single-row INSERTs of ledger-shaped rows, one commit each, `concurrency` at a time."""
    await pool.execute(
        "create table bench_raw_receipts (like stock_movements including defaults"
        " including constraints including indexes)"
    )
    now = datetime.now(UTC)
    store, item = uuid.uuid4(), uuid.uuid4()
    sql = (
        "insert into bench_raw_receipts (movement_id, store_id, store_sequence, item_id,"
        " batch_id, movement_type, quantity, occurred_at, recorded_at, actor, reference,"
        " item_balance, batch_balance) values ($1, $2, $3, $4, $5, 'receipt', $6, $7, $7,"
        " 'bench-user', 'GRN-bench', $8, $8)"
    )
    load = Load()
    todo = iter(range(1, n + 1))

    async def worker() -> None:
        async with pool.acquire() as conn:
            for seq in todo:
                began = time.perf_counter()
                await conn.execute(sql, uuid.uuid4(), store, seq, item, None, 10, now, 10 * seq)
                load.latencies.append(time.perf_counter() - began)

    wall0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    load.wall = time.perf_counter() - wall0
    load.client_cpu = time.process_time() - cpu0
    await pool.execute("drop table bench_raw_receipts")
    return load


async def _trivial(
    workdir: Path,
    headers: dict[str, str],
    stores: list[uuid.UUID],
    body: Callable[[random.Random], dict[str, Any]],
    concurrency: int,
    seconds: float,
) -> Load:
    """The same client and requests against a route that only echoes the body with a 201."""
    port = free_port()
    proc = _spawn_trivial(workdir, port)
    try:
        url = f"http://127.0.0.1:{port}"

        async def up() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"the trivial app exited with {proc.returncode}")
            async with httpx.AsyncClient() as c:
                try:
                    await c.get(f"{url}/docs")
                    return True
                except httpx.TransportError:
                    return False

        await wait_for(up, what="the trivial app", timeout=30)
        return await _http_load(url, headers, stores, body, concurrency, seconds, _server(proc))
    finally:
        proc.terminate()
        proc.wait(10)


def _spawn_trivial(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    script = workdir / "trivial.py"
    script.write_text(_TRIVIAL)
    with (workdir / "trivial.log").open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(script), str(port)], stdout=out, stderr=subprocess.STDOUT
        )
