"""Property-based: for any sequence of central movements the database ledger stays exact."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akiba_devtools.testing.plugin import Databases
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.handlers import movements as handlers
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform.db import create_pool
from akiba_stock.commands import MovementLine, ReceiveStock, RecordMovements
from akiba_stock.ledger import InsufficientStock, LedgerKind

# (receipt?, lot, units, days ago): back-dated up to a month, two lots.
Op = tuple[bool, str, int, int]
ops = st.lists(
    st.tuples(st.booleans(), st.sampled_from(["L1", "L2"]), st.integers(1, 40), st.integers(0, 30)),
    min_size=1,
    max_size=25,
)


@pytest.fixture
async def dsn(databases: Databases) -> str:
    return await databases.create({"inventory": MIGRATIONS})


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=ops)
def test_any_sequence_keeps_stock_on_hand_equal_to_the_ledger_and_never_negative(
    dsn: str, sequence: list[Op]
) -> None:
    asyncio.run(_scenario(dsn, sequence))


async def _scenario(dsn: str, sequence: list[Op]) -> None:
    pool = await create_pool(dsn, max_size=2)
    store, item, now = uuid4(), uuid4(), datetime.now(UTC)
    try:
        await pool.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", store, store.hex
        )
        await pool.execute(
            "insert into items (item_id, code, name) values ($1, $2, 'i')", item, item.hex
        )
        batches: dict[str, Any] = {}
        for receipt, lot, units, days in sequence:
            when = now - timedelta(days=days, minutes=units)
            before = await pool.fetchval(
                "select count(*) from stock_movements where store_id = $1", store
            )
            try:
                if receipt or lot not in batches:
                    m = await handlers.receive_stock(
                        ReceiveStock(store, item, lot, None, units, when, "prop"),
                        InventoryUnitOfWork(pool),
                    )
                    batches[lot] = m.batch.batch_id
                else:
                    cmd = RecordMovements(
                        store,
                        LedgerKind.ISSUE,
                        (MovementLine(item, batches[lot], units),),
                        when,
                        "prop",
                    )
                    await handlers.record_movements(cmd, InventoryUnitOfWork(pool))
            except InsufficientStock:
                after = await pool.fetchval(
                    "select count(*) from stock_movements where store_id = $1", store
                )
                assert after == before, "a refused movement must leave the ledger as it was"
        await _check(pool, store)
    finally:
        await pool.close()


async def _check(pool: asyncpg.Pool[Any], store: Any) -> None:
    # EXCEPT both ways: set difference treats absent batches and locations (NULL) as equal.
    mismatched = await pool.fetchval(
        """with soh as (select item_id, batch_id, location_id, quantity from stock_on_hand
                         where store_id = $1),
                led as (select item_id, batch_id, location_id, sum(quantity) from stock_movements
                         where store_id = $1 group by 1, 2, 3)
           select count(*) from ((table soh except table led) union all
                                 (table led except table soh)) d""",
        store,
    )
    assert mismatched == 0, "stock on hand must equal the sum of the ledger per line"
    rows = await pool.fetch(
        "select batch_id, quantity, item_balance, batch_balance from stock_movements"
        " where store_id = $1 order by occurred_at, store_sequence",
        store,
    )
    item_run, batch_run = 0, {}
    for r in rows:
        item_run += r["quantity"]
        batch_run[r["batch_id"]] = batch_run.get(r["batch_id"], 0) + r["quantity"]
        assert (r["item_balance"], r["batch_balance"]) == (item_run, batch_run[r["batch_id"]])
        assert r["batch_balance"] >= 0, "no central movement may take a batch below zero, ever"
