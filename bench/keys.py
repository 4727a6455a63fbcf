"""What a uuid key costs PostgreSQL once its table holds a history: ids as made, and random ones.

Two keys every write lands in, neither ever pruned: a consumer's inbox (consumer, event id),
claimed for each event as the consumer loop claims (one statement a batch of 500, a
transaction each), and the ledger's primary key (movement id), written as ingest writes it
(COPY, 500 rows a transaction). Each case fills a fresh table with a history, then times
`TIMED` more rows. One copy gets ids as the code makes them now (version 7, time-ordered:
`fresh_event_id`, `akiba_stock.ids.new_id`), the other uuid4s, as before. PostgreSQL's CPU
(the backend's, from /proc) and its WAL are counted over the timed rows only, the index's
size after them; the kinds alternate, twice each, to spread the machine's noise.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from akiba_contracts.envelope import fresh_event_id
from akiba_platform.db import Connection as Conn
from akiba_stock.ids import new_id
from bench.env import Env

INBOX_HISTORY = 1_000_000
LEDGER_HISTORY = 2_000_000
TIMED = 200_000
BATCH = 500
FILL = 10_000
CONSUMER = "inventory.projector"
_CLAIM = (
    "insert into {table} (consumer, event_id) select $1, unnest($2::uuid[])"
    " on conflict do nothing returning event_id"
)
_LEDGER = (
    "create table {table} (movement_id uuid primary key, store_id uuid not null,"
    " store_sequence bigint not null, quantity bigint not null, reference text)"
)
Write = Callable[[Conn, str, list[uuid.UUID]], Awaitable[None]]
Kinds = dict[str, Callable[[], uuid.UUID]]
MADE, RANDOM = "as made (time-ordered)", "random (uuid4)"
EVENT_IDS: Kinds = {MADE: lambda: uuid.UUID(fresh_event_id()), RANDOM: uuid.uuid4}
MOVEMENT_IDS: Kinds = {MADE: new_id, RANDOM: uuid.uuid4}


async def _claim(conn: Conn, table: str, ids: list[uuid.UUID]) -> None:
    claimed = await conn.fetch(_CLAIM.format(table=table), CONSUMER, ids)
    assert len(claimed) == len(ids), "a fresh id was taken for a duplicate"


_STORE = uuid.uuid4()


async def _copy(conn: Conn, table: str, ids: list[uuid.UUID]) -> None:
    rows = [(i, _STORE, n, 5, "GRN-00000001") for n, i in enumerate(ids)]
    await conn.copy_records_to_table(table, records=rows)


def _backend_cpu(pid: int) -> float:
    """CPU seconds of one PostgreSQL backend (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _one(
    env: Env, create: str, write: Write, make: Callable[[], uuid.UUID], history: int
) -> dict[str, float]:
    """Fill a fresh table, then time the writes; µs of CPU and bytes of WAL a row."""
    table = f"bench_key_{uuid.uuid4().hex[:8]}"
    async with env.pool.acquire() as conn:
        await conn.execute(create.format(table=table))
        try:
            for _ in range(history // FILL):
                await write(conn, table, [make() for _ in range(FILL)])
            await conn.execute("checkpoint")  # every timed row starts from a clean page cache
            batches = [[make() for _ in range(BATCH)] for _ in range(TIMED // BATCH)]
            pid = await conn.fetchval("select pg_backend_pid()")
            lsn = await conn.fetchval("select pg_current_wal_lsn()")
            cpu, began = _backend_cpu(pid), time.perf_counter()
            for ids in batches:
                async with conn.transaction():
                    await write(conn, table, ids)
            wall, cpu = time.perf_counter() - began, _backend_cpu(pid) - cpu
            wal = await conn.fetchval("select pg_wal_lsn_diff(pg_current_wal_lsn(), $1)", lsn)
            size = await conn.fetchval("select pg_indexes_size($1::regclass)", table)
        finally:
            await conn.execute(f"drop table {table}")
    n = len(batches) * BATCH
    return {"cpu": cpu * 1e6 / n, "wal": float(wal) / n, "rate": n / wall, "index": size / 2**20}


async def _case(env: Env, create: str, write: Write, history: int, kinds: Kinds) -> dict[str, Any]:
    """Both kinds of id, twice each in turn; the better of each kind's two runs."""
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    for _ in range(2):
        for kind, make in kinds.items():
            runs[kind].append(await _one(env, create, write, make, history))
    found: dict[str, Any] = {"rows before": history, "rows timed": TIMED}
    for kind, figures in runs.items():
        found[f"{kind}: PostgreSQL CPU µs a row"] = round(min(f["cpu"] for f in figures), 2)
        found[f"{kind}: WAL bytes a row"] = round(min(f["wal"] for f in figures))
        found[f"{kind}: rows/s"] = round(max(f["rate"] for f in figures))
        found[f"{kind}: indexes MB after"] = round(figures[-1]["index"], 1)
    made, random = (found[f"{k}: PostgreSQL CPU µs a row"] for k in (MADE, RANDOM))
    found["CPU a row, as made / random"] = round(made / random, 2) if random else None
    return found


async def run(env: Env) -> dict[str, Any]:
    """The inbox's claim and the ledger's key, each with a history."""
    inbox = "create table {table} (like inbox including all)"
    return {
        "inbox claims (consumer, event id)": await _case(
            env, inbox, _claim, INBOX_HISTORY, EVENT_IDS
        ),
        "ledger rows (movement id key), COPY": await _case(
            env, _LEDGER, _copy, LEDGER_HISTORY, MOVEMENT_IDS
        ),
    }
