"""The inbox's cost per event once it holds a history: event ids as made, and random ones.

Nothing prunes the inbox: a consumer that ran for a year claims each new event against every
id it ever applied. Two copies of the real inbox table are filled with `HISTORY` claims, then
`CLAIMS` more are claimed as the consumer loop does (one statement a batch, a transaction
each). One copy gets ids from `fresh_event_id` (version 7: time-ordered), the other uuid4s,
as every event carried before. PostgreSQL's CPU (the backend's, from /proc) and its WAL are
counted over the timed claims only, the index's size after them; the runs alternate to
spread the machine's noise.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akiba_contracts.envelope import fresh_event_id
from bench.env import Env

HISTORY = 1_000_000
CLAIMS = 200_000
BATCH = 500  # the consumer's default batch
CONSUMER = "inventory.projector"
_CLAIM = (
    "insert into {table} (consumer, event_id) select $1, unnest($2::uuid[])"
    " on conflict do nothing returning event_id"
)


def _random_id() -> str:
    return str(uuid.uuid4())


IDS: dict[str, Callable[[], str]] = {"as made (time-ordered)": fresh_event_id,
                                     "random (uuid4)": _random_id}  # fmt: skip


def _backend_cpu(pid: int) -> float:
    """CPU seconds of one PostgreSQL backend (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _one(env: Env, make: Callable[[], str], history: int, claims: int) -> dict[str, float]:
    """Fill a fresh copy of the inbox, then time the claims; µs of CPU and bytes of WAL each."""
    table = f"bench_inbox_{uuid.uuid4().hex[:8]}"
    async with env.pool.acquire() as conn:
        await conn.execute(f"create table {table} (like inbox including all)")
        try:
            fill = _CLAIM.format(table=table)
            for _ in range(history // 10_000):
                await conn.execute(fill, CONSUMER, [make() for _ in range(10_000)])
            await conn.execute("checkpoint")  # every claim below starts from a clean page cache
            batches = [[make() for _ in range(BATCH)] for _ in range(claims // BATCH)]
            pid = await conn.fetchval("select pg_backend_pid()")
            lsn = await conn.fetchval("select pg_current_wal_lsn()")
            cpu, began = _backend_cpu(pid), time.perf_counter()
            for ids in batches:
                async with conn.transaction():
                    claimed = await conn.fetch(fill, CONSUMER, ids)
                    assert len(claimed) == len(ids), "a fresh id was taken for a duplicate"
            wall, cpu = time.perf_counter() - began, _backend_cpu(pid) - cpu
            wal = await conn.fetchval("select pg_wal_lsn_diff(pg_current_wal_lsn(), $1)", lsn)
            size = await conn.fetchval("select pg_indexes_size($1::regclass)", table)
        finally:
            await conn.execute(f"drop table {table}")
    n = len(batches) * BATCH
    return {"cpu": cpu * 1e6 / n, "wal": float(wal) / n, "rate": n / wall, "index": size / 2**20}


async def run(env: Env, history: int = HISTORY, claims: int = CLAIMS) -> dict[str, Any]:
    """Both kinds of id, twice each in turn; the better of each kind's two runs."""
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in IDS}
    for _ in range(2):
        for kind, make in IDS.items():
            runs[kind].append(await _one(env, make, history, claims))
    found: dict[str, Any] = {"inbox rows before the claims": history, "claims timed": claims}
    for kind, figures in runs.items():
        found[f"{kind}: PostgreSQL CPU µs per claim"] = round(min(f["cpu"] for f in figures), 2)
        found[f"{kind}: WAL bytes per claim"] = round(min(f["wal"] for f in figures))
        found[f"{kind}: claims/s"] = round(max(f["rate"] for f in figures))
        found[f"{kind}: index MB after"] = round(figures[-1]["index"], 1)
    made, random = (found[f"{k}: PostgreSQL CPU µs per claim"] for k in IDS)
    found["CPU per claim, as made / random"] = round(made / random, 2) if random else None
    return found
