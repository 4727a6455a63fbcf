"""Stock on hand keeps room on its pages (migration 0013): a line's new quantity is written
next to the old one, without touching the indexes (a heap-only update)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import asyncpg

from akiba_devtools.testing.plugin import Databases
from akiba_inventory.bootstrap import MIGRATIONS

LINES = 3_000


async def test_rewriting_every_line_of_packed_pages_stays_mostly_on_the_pages(
    databases: Databases,
) -> None:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(
        await databases.create({"inventory": MIGRATIONS})
    )
    try:
        store, item = uuid4(), uuid4()
        await conn.execute("insert into stores (store_id, code, name) values ($1, 's', 's')", store)
        await conn.execute("insert into items (item_id, code, name) values ($1, 'i', 'i')", item)
        await conn.execute(
            "insert into batches (batch_id, item_id, lot_code)"
            " select gen_random_uuid(), $1, 'L' || g from generate_series(1, $2::int) g",
            item,
            LINES,
        )
        await conn.execute(
            "insert into stock_on_hand (store_id, item_id, batch_id, quantity, last_sequence)"
            " select $1, item_id, batch_id, 1, 1 from batches",
            store,
        )
        await conn.execute("select pg_stat_reset_single_table_counters('stock_on_hand'::regclass)")
        # Every line at once: more new versions than the room a page keeps, the worst case.
        await conn.execute("update stock_on_hand set quantity = quantity + 1")
        await conn.execute("select pg_stat_force_next_flush()")
        await asyncio.sleep(0.2)
        counts = await conn.fetchrow(
            "select n_tup_upd, n_tup_hot_upd from pg_stat_user_tables"
            " where relname = 'stock_on_hand'"
        )
    finally:
        await conn.close()
    assert counts is not None
    assert counts["n_tup_upd"] == LINES
    # Packed full (fillfactor 100) none of them stays on its page; with 30% kept free, a third.
    assert counts["n_tup_hot_upd"] > LINES * 0.3
