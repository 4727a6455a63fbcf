"""HTTP receipts: a real `akiba-inventory serve --roles api,relay` process at fixed concurrency.

The process runs on a fresh database of central stores, with the bench's Kafka; its token is
signed by a test key published on auth's topics with a user grant on every bench store, as the
end-to-end tests do. A trigger routes every outbox row to the run's own topic, so the relay
never writes into a deployment's topics. Next to it, in the same run and at the same
concurrency: the same number of single-row INSERTs through asyncpg (one commit each, into a
copy of stock_movements), and a trivial FastAPI route returning 201 under the same uvicorn and
the same client. Between the two, documents of 1,000 lines to the same process (`documents`).
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from akiba_contracts.catalogue import Topic, dlq_topic
from akiba_devtools.testing import ServiceProcess
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_platform.db import create_pool
from akiba_platform.migrations import migrate
from bench import documents, ledger_checks
from bench.env import MOVEMENTS, Env, _database, _topics_ready
from bench.http_load import Call, Client, Load, free_port, http_load
from bench.measure import wait_for
from bench.services import serve

STORES = 64  # 16 clients on random stores: some queue on a store's row lock, as in life
ITEMS = 200
LOTS = 3

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

# The least a write under the messaging rules does in a transaction: lock and read the row its
# result depends on, write its ledger row, the row's new balance and its event (one statement),
# commit. Four round trips, under the same uvicorn and FastAPI as the trivial route, with no
# contract, rights, idempotency or domain code: what no receipt can cost less than here.
_FLOOR_TABLES = """
create table bench_floor_stores (store_id uuid primary key, balance bigint not null default 0);
create table bench_floor_ledger (
    movement_id uuid primary key, store_id uuid not null, item_id uuid not null,
    quantity int not null, balance bigint not null,
    recorded_at timestamptz not null default clock_timestamp());
create table bench_floor_outbox (like outbox including defaults including identity);
"""

_FLOOR = """
import json
import sys
import uuid
from contextlib import asynccontextmanager

import asyncpg
import uvicorn
from fastapi import FastAPI, HTTPException

LOCK = "select balance from bench_floor_stores where store_id = $1 for update"
WRITE = (
    "with l as (insert into bench_floor_ledger (movement_id, store_id, item_id, quantity,"
    " balance) values ($1, $2, $3, $4, $5)), s as (update bench_floor_stores set balance = $5"
    " where store_id = $2) insert into bench_floor_outbox (topic, key, event_id, event_type,"
    " value) values ('bench.floor', $6, $1, 'bench.floor.v1', $7)"
)
pools = []


@asynccontextmanager
async def lifespan(app):
    pools.append(await asyncpg.create_pool(sys.argv[2], min_size=18, max_size=18))
    yield
    await pools[0].close()


app = FastAPI(lifespan=lifespan)


@app.post("/stores/{store_id}/receipts", status_code=201)
async def receipt(store_id: uuid.UUID, body: dict) -> dict:
    quantity, item = int(body["quantity"]), uuid.UUID(body["item_id"])
    movement = uuid.uuid4()
    async with pools[0].acquire() as c, c.transaction():
        balance = await c.fetchval(LOCK, store_id)
        if balance is None:
            raise HTTPException(404)
        event = json.dumps({"id": str(movement), "quantity": quantity, "balance": balance})
        await c.execute(
            WRITE, movement, store_id, item, quantity, balance + quantity, str(store_id),
            event.encode(),
        )
    return {"movement_id": str(movement), "balance": balance + quantity}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
"""


async def run(env: Env, concurrency: int = 16, seconds: float = 10.0) -> dict[str, Any]:
    """Receipts, 1,000-line documents, then the raw INSERT and trivial-route baselines."""
    prefix = env.raw_topic.rsplit(".", 1)[0]  # bench.<run>
    target = f"{prefix}.http"
    async with AsyncExitStack() as cleanup:
        server = env.dsn.rsplit("/", 1)[0]
        dsn = await _database(server, f"akiba_bench_{prefix.split('.')[1]}_http", cleanup)
        await _topics_ready(env.bootstrap, outbox_topics(target), cleanup)
        await migrate(dsn, {"inventory": MIGRATIONS})
        pool = await create_pool(dsn, max_size=concurrency + 2)
        cleanup.push_async_callback(pool.close)
        await pool.execute(route_all(target))
        stores, items = await reference_data(pool)
        national = await documents.reference_data(pool)
        token = await grant(env.bootstrap, [*stores, national.store], "STOCK_ADJUST")
        workdir = Path(tempfile.mkdtemp(prefix="akiba-bench-http-"))
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        url, inventory = await start_inventory(env.bootstrap, dsn, workdir, cleanup)
        body = receipt_body(items)
        headers = {"authorization": f"Bearer {token}"}
        post = poster(stores, body)
        load = await http_load(url, headers, post, concurrency, seconds, inventory)
        recorded = int(await pool.fetchval("select count(*) from stock_movements"))
        if recorded != len(load.latencies) + load.warm_up:
            raise AssertionError(f"{recorded} ledger rows for {len(load.latencies)} receipts")
        docs = await documents.run(url, headers, national, inventory)
        docs_rows = await documents.check(pool, national, docs)
        ledger = await ledger_checks.run(pool)
        if bad := ledger_checks.failures(ledger):
            raise AssertionError(f"the ledger after the HTTP writes: {bad} in {ledger}")
        raw = await _raw_inserts(pool, len(load.latencies), concurrency)
        clients = _Clients(headers, post, concurrency, seconds)
        trivial = await _served(_App(workdir, "trivial", _TRIVIAL), clients)
        floor = await _floor(pool, stores, _App(workdir, "floor", _FLOOR, dsn), clients)
    return {
        "HTTP receipts": {
            "concurrency (clients)": concurrency,
            "receipts (timed)": len(load.latencies),
            "receipts/s": load.rate,
            "receipt p50 ms": load.ms(0.50),
            "receipt p99 ms": load.ms(0.99),
            "server process CPU (% of one core)": load.server_cpu / load.wall * 100,
            "server CPU ms per receipt": _ms_each(load),
            "bench client CPU (% of one core)": load.client_cpu / load.wall * 100,
            "raw single-row INSERTs/s": raw.rate,
            "raw INSERT p50 ms": raw.ms(0.50),
            "raw INSERT p99 ms": raw.ms(0.99),
            "trivial FastAPI route requests/s": trivial.rate,
            "trivial route p50 ms": trivial.ms(0.50),
            "trivial route p99 ms": trivial.ms(0.99),
            "trivial route server CPU (% of one core)": trivial.server_cpu / trivial.wall * 100,
            "trivial route server CPU ms per request": _ms_each(trivial),
            "receipts / raw INSERTs": load.rate / raw.rate,
            "receipts / trivial route": load.rate / trivial.rate,
            "trivial route CPU / receipt CPU (per request)": _ms_each(trivial) / _ms_each(load),
            "floor write route requests/s": floor.rate,
            "floor write route p99 ms": floor.ms(0.99),
            "floor write route server CPU ms per request": _ms_each(floor),
            "floor write / trivial route": floor.rate / trivial.rate,
            "trivial route CPU / floor write CPU (per request)": _ms_each(trivial)
            / _ms_each(floor),
            "receipts / floor write route": load.rate / floor.rate,
            "floor write CPU / receipt CPU (per request)": _ms_each(floor) / _ms_each(load),
            "target: server CPU ms per receipt at most": 1.0,
            "target: receipt p99 ms under": 50.0,
            "target: receipts / trivial route at least": 0.25,
        },
        f"HTTP documents of {documents.LINES:,} lines (one at a time)": docs.figures(),
        "http_documents_ledger_rows": docs_rows,
        "http_documents_lines_acknowledged": docs.acknowledged,
        **{f"http_{k}": v for k, v in ledger.items()},
    }


def outbox_topics(target: str) -> list[Topic]:
    """A twin of the movements topic (and its dead letters) for the relay to write into."""
    return [replace(MOVEMENTS, name=target), replace(dlq_topic(MOVEMENTS), name=f"{target}.dlq")]


def route_all(target: str) -> str:
    """SQL for a trigger sending every outbox row to `target`, none to a deployment's topics."""
    return _ROUTE_ALL.format(target=target.replace("'", "''"))


async def grant(bootstrap: str, stores: list[uuid.UUID], *rights: str) -> str:
    """A token for a user holding `rights` at every store, its grant published on auth's topics."""
    auth = AuthOnKafka(bootstrap)
    await auth.publish_key()
    program = uuid.uuid4()
    _, token = await auth.user(*(f"{r}|{s}|{program}" for r in rights for s in stores))
    return token


async def start_inventory(
    bootstrap: str, dsn: str, workdir: Path, cleanup: AsyncExitStack
) -> tuple[str, psutil.Process]:
    """`akiba-inventory serve --roles api,relay` on `dsn`, ready: its URL and its process."""
    log = workdir / "inventory.log"
    url, proc = await serve("akiba_inventory", "api,relay", dsn, bootstrap, log, cleanup)
    return url, _server(proc)


async def reference_data(pool: asyncpg.Pool[Any]) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """STORES central stores and ITEMS items for the receipts (batches come with them)."""
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


def receipt_body(items: list[uuid.UUID]) -> Callable[[random.Random], dict[str, Any]]:
    """A random receipt's body: one of the items, one of LOTS lots, 1 to 1,000 units."""

    def body(rng: random.Random) -> dict[str, Any]:
        return {
            "item_id": str(rng.choice(items)),
            "lot_code": f"LOT-{rng.randrange(LOTS)}",
            "expiry_date": "2030-06-30",
            "quantity": rng.randint(1, 1_000),
            "reference": "GRN-bench",
        }

    return body


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


def poster(
    stores: list[uuid.UUID], body: Callable[[random.Random], dict[str, Any]]
) -> Callable[[Client], Call]:
    """Calls posting a receipt of `body` to a random one of `stores`, each expecting a 201."""

    def make(client: Client) -> Call:
        async def post(rng: random.Random) -> None:
            path = f"/stores/{rng.choice(stores)}/receipts"
            status, text = await client.post(path, json.dumps(body(rng)).encode())
            if status != 201:
                raise AssertionError(f"{status}: {text[:500]!r}")

        return post

    return make


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


@dataclass(frozen=True)
class _Clients:
    """The load every baseline app gets: the receipts' requests, as many at once, as long."""

    headers: dict[str, str]
    post: Callable[[Client], Call]
    concurrency: int
    seconds: float


@dataclass(frozen=True)
class _App:
    """A baseline app's script, run in a process of its own with its arguments after the port."""

    workdir: Path
    name: str
    code: str
    dsn: str | None = None


async def _floor(
    pool: asyncpg.Pool[Any], stores: list[uuid.UUID], app: _App, clients: _Clients
) -> Load:
    """The same client and requests against the least transactional write (`_FLOOR`)."""
    await pool.execute(_FLOOR_TABLES)
    await pool.executemany(
        "insert into bench_floor_stores (store_id) values ($1)", [(s,) for s in stores]
    )
    load = await _served(app, clients)
    written = int(await pool.fetchval("select count(*) from bench_floor_ledger"))
    if written != len(load.latencies) + load.warm_up:
        raise AssertionError(f"{written} floor rows for {len(load.latencies)} writes")
    return load


async def _served(app: _App, clients: _Clients) -> Load:
    """The load against an app once it answers (the trivial route: it only echoes the body
    with a 201); the app is stopped after."""
    port = free_port()
    proc = _spawn(app, port)
    try:
        url = f"http://127.0.0.1:{port}"

        async def up() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"the {app.name} app exited with {proc.returncode}")
            async with httpx.AsyncClient() as c:
                try:
                    await c.get(f"{url}/docs")
                    return True
                except httpx.TransportError:
                    return False

        await wait_for(up, what=f"the {app.name} app", timeout=30)
        c = clients
        return await http_load(url, c.headers, c.post, c.concurrency, c.seconds, _server(proc))
    finally:
        proc.terminate()
        proc.wait(10)


def _spawn(app: _App, port: int) -> subprocess.Popen[bytes]:
    script = app.workdir / f"{app.name}.py"
    script.write_text(app.code)
    args = [sys.executable, str(script), str(port), *([app.dsn] if app.dsn else [])]
    with (app.workdir / f"{app.name}.log").open("ab") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)


def _ms_each(load: Load) -> float:
    """The server's CPU milliseconds per answered request."""
    return load.server_cpu / max(len(load.latencies), 1) * 1000
