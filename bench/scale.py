"""The scale set (10,000 items, 3,000 stores, 10M ledger rows) and read latencies on it."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from akiba_inventory.adapters.ledger import LEDGER_COLUMNS
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.views import stock as views
from akiba_platform.migrations import migrate

BIG_STORE_LINES = 5_000
CHUNK = 200_000


async def ensure_scale_set(server: str, rows: int, stores: int, items: int) -> str:
    """The scale database for these sizes, generated once and kept between runs."""
    name = f"akiba_scale_{rows}_{stores}_{items}"
    admin: asyncpg.Connection[Any] = await asyncpg.connect(f"{server}/postgres")
    try:
        exists = await admin.fetchval("select 1 from pg_database where datname = $1", name)
        if not exists:
            await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    dsn = f"{server}/{name}"
    await migrate(dsn, {"inventory": MIGRATIONS})
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        # Reuse a set generated before (rounding may have left it a row or two short).
        if await conn.fetchval("select count(*) from stock_movements") < rows * 0.999:
            await _generate(conn, rows, stores, items)
    finally:
        await conn.close()
    return dsn


async def _generate(conn: asyncpg.Connection[Any], rows: int, n_stores: int, n_items: int) -> None:
    started = time.perf_counter()
    await conn.execute("truncate stock_movements, stock_on_hand, batches, stores, items cascade")
    rng = random.Random(7)
    stores = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(n_stores)]
    items = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(n_items)]
    await conn.copy_records_to_table(
        "stores",
        records=[(s, f"S{i:05d}", f"Store {i}") for i, s in enumerate(stores)],
        columns=("store_id", "code", "name"),
    )
    await conn.copy_records_to_table(
        "items",
        records=[(x, f"I{i:05d}", f"Item {i}") for i, x in enumerate(items)],
        columns=("item_id", "code", "name"),
    )
    batches = {x: [uuid.UUID(int=rng.getrandbits(128)) for _ in range(2)] for x in items}
    today = date.today()
    await conn.copy_records_to_table(
        "batches",
        records=[
            (b, x, f"LOT-{j}", today + timedelta(days=30 + 400 * j + hash(b) % 300))
            for x, bs in batches.items()
            for j, b in enumerate(bs)
        ],
        columns=("batch_id", "item_id", "lot_code", "expiry_date"),
    )
    total = 0
    # A bulk load: the rows are generated consistent, so skip per-row foreign-key triggers
    # and build the stock-card index once at the end instead of row by row.
    await conn.execute("set session_replication_role = replica")
    await conn.execute("drop index if exists stock_movements_card")
    for chunk in _chunks(_ledger(rng, stores, items, batches, rows)):
        await conn.copy_records_to_table("stock_movements", records=chunk, columns=LEDGER_COLUMNS)
        total += len(chunk)
        print(f"\r  scale set: {total:,}/{rows:,} ledger rows", end="", flush=True)
    await conn.execute(
        "create index stock_movements_card on stock_movements"
        " (store_id, item_id, occurred_at, store_sequence)"
    )
    await conn.execute("set session_replication_role = origin")
    await conn.execute(
        "insert into stock_on_hand (store_id, item_id, batch_id, location_id, quantity,"
        " last_sequence) select store_id, item_id, batch_id, location_id, sum(quantity),"
        " max(store_sequence) from stock_movements group by 1, 2, 3, 4"
    )
    await conn.execute(
        "update stores s set next_sequence = x.n + 1 from (select store_id, max(store_sequence) n"
        " from stock_movements group by 1) x where s.store_id = x.store_id"
    )
    await conn.execute("vacuum analyze")
    print(f"\n  scale set generated in {time.perf_counter() - started:.0f} s")


def _ledger(
    rng: random.Random,
    stores: list[uuid.UUID],
    items: list[uuid.UUID],
    batches: dict[uuid.UUID, list[uuid.UUID]],
    rows: int,
) -> Iterator[tuple[Any, ...]]:
    """Per store: lines (item, batch) with receipts and issues, balances in card order.

    Store 0 is the national warehouse: 5,000 lines and a tenth of the ledger.
    """
    big = rows // 10
    per_store = (rows - big) // max(len(stores) - 1, 1)
    start = datetime.now(UTC) - timedelta(days=720)
    for s_index, store in enumerate(stores):
        n_lines = BIG_STORE_LINES if s_index == 0 else max(1, per_store // 40)
        n_rows = big if s_index == 0 else per_store
        if s_index == len(stores) - 1:  # the remainder, so the ledger has exactly `rows`
            n_rows = rows - big - per_store * (len(stores) - 2)
        lines = [(items[(s_index * 7919 + k // 2) % len(items)], k % 2) for k in range(n_lines)]
        yield from _store_rows(rng, store, lines, batches, n_rows, start)


def _store_rows(
    rng: random.Random,
    store: uuid.UUID,
    lines: list[tuple[uuid.UUID, int]],
    batches: dict[uuid.UUID, list[uuid.UUID]],
    n_rows: int,
    start: datetime,
) -> Iterator[tuple[Any, ...]]:
    item_bal: dict[uuid.UUID, int] = {}
    batch_bal: dict[uuid.UUID, int] = {}
    step = timedelta(days=720) / max(n_rows, 1)
    for seq in range(1, n_rows + 1):
        item, j = lines[(seq - 1) % len(lines)] if seq <= len(lines) else rng.choice(lines)
        batch = batches[item][j]
        have = batch_bal.get(batch, 0)
        qty = (
            rng.randint(50, 500) if have < 50 or rng.random() < 0.3 else -rng.randint(1, have // 2)
        )
        kind = "receipt" if qty > 0 else "issue"
        item_bal[item] = item_bal.get(item, 0) + qty
        batch_bal[batch] = have + qty
        when = start + step * seq
        yield (
            uuid.UUID(int=rng.getrandbits(128)),
            store,
            seq,
            item,
            batch,
            None,
            kind,
            qty,
            when,
            when,
            "scale",
            None,
            None,
            None,
            item_bal[item],
            batch_bal[batch],
        )


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for r in rows:
        chunk.append(r)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def latencies_in_a_fresh_process(dsn: str) -> dict[str, float]:
    """`latencies` in a new interpreter, as a service process would read.

    The bench process holds the workloads of earlier phases (hundreds of MB of objects); each
    full garbage collection walks them all, which showed as a 150 to 300 ms p99 on reads that
    allocate tens of thousands of objects — a cost of the bench, not of the service.
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.scale", dsn, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"the read latencies process failed ({proc.returncode})")
    figures: dict[str, float] = json.loads(out)
    return figures


async def latencies(dsn: str, runs: int = 200) -> dict[str, float]:
    """p50/p99 in ms of the store SOH and stock-card reads, with raw single-table baselines."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    assert pool is not None
    try:
        big = await pool.fetchval("select store_id from stores order by code limit 1")
        item = await pool.fetchval(
            "select item_id from stock_movements where store_id = $1 group by 1"
            " order by count(*) desc limit 1",
            big,
        )
        lines = await pool.fetchval("select count(*) from stock_on_hand where store_id = $1", big)
        card_rows = await pool.fetchval(
            "select count(*) from stock_movements where store_id = $1 and item_id = $2", big, item
        )
        last_page = max(0, (card_rows - 1) // 100)
        timed: dict[str, Callable[[], Awaitable[Any]]] = {
            f"SOH of a {lines:,}-line store (all lines, joined)": lambda: views.stock_on_hand(
                pool, big, size=BIG_STORE_LINES + 1
            ),
            "SOH, one API page of 500 lines": lambda: views.stock_on_hand(pool, big, size=500),
            "raw: select its stock_on_hand rows": lambda: pool.fetch(
                "select * from stock_on_hand where store_id = $1", big
            ),
            f"stock card, first page of {card_rows:,} rows": lambda: views.stock_card(
                pool, big, item, None, 0, 100
            ),
            "stock card, last page": lambda: views.stock_card(
                pool, big, item, None, last_page, 100
            ),
            "raw: 100 ledger rows by index": lambda: pool.fetch(
                "select * from stock_movements where store_id = $1 and item_id = $2"
                " order by occurred_at, store_sequence limit 100",
                big,
                item,
            ),
        }
        out: dict[str, float] = {
            "ledger rows": float(
                await pool.fetchval(
                    "select reltuples::bigint from pg_class where relname = 'stock_movements'"
                )
            )
        }
        for name, call in timed.items():
            samples = []
            for _ in range(runs):
                began = time.perf_counter()
                await call()
                samples.append((time.perf_counter() - began) * 1000)
            samples.sort()
            out[f"{name} p50 ms"] = statistics.median(samples)
            out[f"{name} p99 ms"] = samples[int(len(samples) * 0.99) - 1]
        return out
    finally:
        await pool.close()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(latencies(sys.argv[1]))))
