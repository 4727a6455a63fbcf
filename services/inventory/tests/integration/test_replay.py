"""Replay: the projection from the ledger, and the ledger from its topic, give identical state."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from pydantic import BaseModel

from akiba_contracts.envelope import encode, new_event
from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_devtools.testing.plugin import Databases, Topics
from akiba_inventory import replay
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.handlers import movements as handlers
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import kafka
from akiba_platform.db import create_pool
from akiba_stock.commands import MovementLine, ReceiveStock, RecordMovements
from akiba_stock.ledger import LedgerKind

SNAPSHOT = """
select store_id, item_id, batch_id, location_id, quantity from stock_on_hand order by 1, 2, 3, 4
"""
LEDGER = """
select movement_id, store_sequence, batch_id, quantity, occurred_at, item_balance, batch_balance
  from stock_movements order by store_id, store_sequence
"""


async def _history(dsn: str, store: UUID, item: UUID) -> None:
    """Receipts of two lots, issues, and a back-dated receipt, through the real handlers."""
    pool = await create_pool(dsn, max_size=2)
    now = datetime.now(UTC)
    try:
        await _reference(pool, store, item)
        lots = {}
        for lot, qty, days in (("L1", 50, 10), ("L2", 30, 8), ("L1", 5, 20)):
            cmd = ReceiveStock(store, item, lot, None, qty, now - timedelta(days=days), "t")
            lots[lot] = (await handlers.receive_stock(cmd, InventoryUnitOfWork(pool))).batch
        for lot, qty, days in (("L1", 12, 5), ("L2", 30, 2)):
            line = MovementLine(item, lots[lot].batch_id, qty)
            issue = RecordMovements(
                store, LedgerKind.ISSUE, (line,), now - timedelta(days=days), "t"
            )
            await handlers.record_movements(issue, InventoryUnitOfWork(pool))
    finally:
        await pool.close()


async def _reference(pool: Any, store: UUID, item: UUID) -> None:
    await pool.execute(
        "insert into stores (store_id, code, name) values ($1, $2, 's') on conflict do nothing",
        store,
        store.hex,
    )
    await pool.execute(
        "insert into items (item_id, code, name) values ($1, $2, 'i') on conflict do nothing",
        item,
        item.hex,
    )


async def _state(dsn: str) -> tuple[list[Any], list[Any]]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        return [tuple(r) for r in await conn.fetch(SNAPSHOT)], [
            tuple(r) for r in await conn.fetch(LEDGER)
        ]
    finally:
        await conn.close()


async def test_rebuilding_stock_on_hand_from_the_ledger_restores_it_exactly(
    databases: Databases,
) -> None:
    dsn, store, item = await databases.create({"inventory": MIGRATIONS}), uuid4(), uuid4()
    await _history(dsn, store, item)
    before = await _state(dsn)
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        await conn.execute("update stock_on_hand set quantity = quantity + 999")
        await conn.execute("delete from stock_on_hand where quantity = 999")  # an emptied line
        await conn.execute("update stock_movements set item_balance = 0, batch_balance = -1")
        out = io.StringIO()
        assert await replay.rebuild_stock_on_hand(conn, out) == 1
    finally:
        await conn.close()
    assert await _state(dsn) == before


async def test_rebuilding_the_ledger_from_its_topic_gives_the_same_ledger_and_stock(
    databases: Databases, topics: Topics, kafka_bootstrap: str
) -> None:
    source, store, item = await databases.create({"inventory": MIGRATIONS}), uuid4(), uuid4()
    await _history(source, store, item)
    topic = await topics.create("replay")
    await _relay_movements(source, topic, kafka_bootstrap)
    target = await databases.create({"inventory": MIGRATIONS})
    pool = await create_pool(target, max_size=2)
    await _reference(pool, store, item)
    await pool.close()
    conn: asyncpg.Connection[Any] = await asyncpg.connect(target)
    try:
        assert await replay.rebuild_ledger(conn, kafka_bootstrap, topic, io.StringIO()) == 5
    finally:
        await conn.close()
    assert await _state(target) == await _state(source)


async def test_rebuilding_the_ledger_since_a_time_copies_only_what_was_published_after_it(
    databases: Databases, topics: Topics, kafka_bootstrap: str
) -> None:
    source, store, item = await databases.create({"inventory": MIGRATIONS}), uuid4(), uuid4()
    await _history(source, store, item)
    topic = await topics.create("replay", partitions=1)
    await _relay_movements(source, topic, kafka_bootstrap, first=3)
    await asyncio.sleep(0.05)
    since = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await _relay_movements(source, topic, kafka_bootstrap, skip=3)
    target = await databases.create({"inventory": MIGRATIONS})
    conn: asyncpg.Connection[Any] = await asyncpg.connect(target)
    try:
        await _reference(conn, store, item)
        added = await replay.rebuild_ledger(conn, kafka_bootstrap, topic, io.StringIO(), since)
        sequences = await conn.fetch("select store_sequence from stock_movements order by 1")
        next_sequence = await conn.fetchval("select next_sequence from stores")
    finally:
        await conn.close()
    assert added == 2
    assert [r["store_sequence"] for r in sequences] == [4, 5]
    assert next_sequence == 6, "the store's numbering goes on after what the topic holds"


class NotAMovement(BaseModel):
    quantity: str


async def test_a_record_on_the_topic_that_is_no_stock_movement_is_skipped_and_said(
    databases: Databases, topics: Topics, kafka_bootstrap: str
) -> None:
    source, store, item = await databases.create({"inventory": MIGRATIONS}), uuid4(), uuid4()
    await _history(source, store, item)
    topic = await topics.create("replay", partitions=1)
    await _relay_movements(source, topic, kafka_bootstrap, first=2)
    producer = kafka.producer(kafka_bootstrap)
    await producer.start()
    try:  # poison the consumers dead-lettered: not JSON, and a movement without its fields
        await producer.send_and_wait(topic, b"not json", key=b"k")
        bad = encode(
            new_event(
                source="/t", type=StockMovementRecorded.event_type, subject="s",
                data=NotAMovement(quantity="lots"), partitionkey="k",
            )
        )  # fmt: skip
        await producer.send_and_wait(topic, bad, key=b"k")
    finally:
        await producer.stop()
    await _relay_movements(source, topic, kafka_bootstrap, skip=2)
    target = await databases.create({"inventory": MIGRATIONS})
    out = io.StringIO()
    conn: asyncpg.Connection[Any] = await asyncpg.connect(target)
    try:
        await _reference(conn, store, item)
        added = await replay.rebuild_ledger(conn, kafka_bootstrap, topic, out)
    finally:
        await conn.close()
    assert added == 5
    assert "2 records skipped, not valid stock movements" in out.getvalue()
    assert await _state(target) == await _state(source)


async def _relay_movements(
    dsn: str, topic: str, bootstrap: str, *, skip: int = 0, first: int | None = None
) -> None:
    """Publish the source's movement events as its relay would, to a topic of this test."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    producer = kafka.producer(bootstrap)
    await producer.start()
    try:
        rows = await conn.fetch(
            "select key, value from outbox where topic = 'inventory.stock-movements' order by id"
        )
        for r in rows[skip : None if first is None else skip + first]:
            await producer.send_and_wait(topic, r["value"], key=r["key"].encode())
    finally:
        await producer.stop()
        await conn.close()
