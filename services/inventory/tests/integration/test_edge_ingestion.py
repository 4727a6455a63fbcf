"""Edge ingestion through the real ConsumerLoop, Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from akiba_contracts.envelope import CloudEvent, decode, encode, new_event
from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import SiteStockRecorded
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.edge import NAME, EdgeIngestor
from akiba_platform import kafka
from akiba_platform.auth.feed import SiteDirectory
from akiba_platform.consumer import ConsumerLoop
from akiba_platform.db import create_pool
from akiba_platform.testing import wait_until
from akiba_platform.testing.plugin import Databases, Topics
from akiba_platform.testing.topics import read_topic


class Edge:
    """A site-managed store with an item, a location and a reason; its site; a topic."""

    def __init__(self, pool: asyncpg.Pool[Any], bootstrap: str, topic: str) -> None:
        self.pool, self.bootstrap, self.topic = pool, bootstrap, topic
        self.store_id, self.item_id, self.site_id = uuid4(), uuid4(), uuid4()
        self.location_id, self.reason_id = uuid4(), uuid4()
        self.sites = SiteDirectory()
        self.sites.apply(
            SiteChanged(
                site_id=self.site_id,
                name="clinic",
                active=True,
                store_ids=[self.store_id],
                changed_at=datetime.now(UTC),
            )
        )

    def event(
        self, seq: int, *quantities: int, site: UUID | None = None, kind: str = "receipt"
    ) -> CloudEvent:
        """A document of one line per quantity, numbered from `seq`."""
        now = datetime.now(UTC)
        lines = [
            {
                "movement_id": uuid4(),
                "item_id": self.item_id,
                "lot_code": "L1",
                "expiry_date": "2031-01-31",
                "location_id": self.location_id,
                "movement_type": kind,
                "quantity": q,
                "reason_id": self.reason_id if kind.startswith("adjustment") else None,
            }
            for q in quantities or (1,)
        ]
        payload = SiteStockRecorded.model_validate(
            {
                "document_id": uuid4(),
                "store_id": self.store_id,
                "document_type": "receipt",
                "occurred_at": now,
                "recorded_at": now,
                "actor": "nurse",
                "lines": lines,
            }
        )
        return new_event(
            source=f"/akiba/sites/{self.site_id}",
            type=payload.event_type,
            subject=f"stores/{self.store_id}",
            data=payload,
            partitionkey=str(self.store_id),
            siteid=str(site or self.site_id),
            storeseq=seq,
        )

    async def send(self, *events: CloudEvent) -> None:
        producer = kafka.producer(self.bootstrap)
        await producer.start()
        try:
            for e in events:
                await producer.send_and_wait(self.topic, encode(e), key=str(self.store_id).encode())
        finally:
            await producer.stop()

    @asynccontextmanager
    async def ingesting(self, batch_size: int = 500) -> AsyncIterator[None]:
        """The ingestion ConsumerLoop running in this process."""
        producer = kafka.producer(self.bootstrap)
        consumer = kafka.consumer(self.bootstrap, f"{NAME}-{uuid4().hex[:6]}")
        await producer.start()
        await consumer.start()
        stop = asyncio.Event()
        loop = ConsumerLoop(
            name=NAME,
            consumer=consumer,
            topics=[self.topic],
            pool=self.pool,
            handler=EdgeIngestor(self.sites),
            dlq_producer=producer,
        )
        task = asyncio.create_task(loop.run(stop, batch_size=batch_size))
        try:
            yield
        finally:
            stop.set()
            await task
            await consumer.stop()
            await producer.stop()

    async def processed(self, *events: CloudEvent) -> None:
        """Wait until the inbox holds every one of these events."""
        ids = [UUID(e.id) for e in events]

        async def done() -> bool:
            n = await self.pool.fetchval(
                "select count(*) from inbox where event_id = any($1::uuid[])", ids
            )
            return bool(n == len(ids))

        await wait_until(done, what="the events to be processed")

    async def ledger(self) -> list[int]:
        rows = await self.pool.fetch(
            "select store_sequence from stock_movements where store_id = $1 order by 1",
            self.store_id,
        )
        return [r["store_sequence"] for r in rows]

    async def count(self, table: str) -> int:
        return int(await self.pool.fetchval(f"select count(*) from {table}"))


@pytest.fixture
async def edge(databases: Databases, topics: Topics, kafka_bootstrap: str) -> AsyncIterator[Edge]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    e = Edge(pool, kafka_bootstrap, await topics.create("sites", partitions=1))
    async with pool.acquire() as c:
        await c.execute(
            "insert into stores (store_id, code, name, managed_by) values ($1, $2, 'c', 'site')",
            e.store_id,
            e.store_id.hex,
        )
        await c.execute(
            "insert into items (item_id, code, name) values ($1, $2, 'i')", e.item_id, e.item_id.hex
        )
        await c.execute(
            "insert into locations (location_id, store_id, code, name) values ($1, $2, 'A', 'A')",
            e.location_id,
            e.store_id,
        )
        await c.execute(
            "insert into adjustment_reasons (reason_id, name, direction, category)"
            " values ($1, $2, 'debit', 'adjustment')",
            e.reason_id,
            f"damaged {e.reason_id.hex[:6]}",
        )
    yield e
    await pool.close()


async def test_a_document_is_applied_once_despite_redelivery_and_resending(edge: Edge) -> None:
    first = edge.event(1, 10, 20)
    resent = edge.event(1, 10, 20)  # the same run under a new event id
    second = edge.event(3, 5)
    await edge.send(first, first, resent, second, first)
    async with edge.ingesting():
        await edge.processed(first, resent, second)
    assert await edge.ledger() == [1, 2, 3]
    assert await edge.pool.fetchval("select next_sequence from stores") == 4
    assert await edge.pool.fetchval("select sum(quantity) from stock_on_hand") == 35


async def test_documents_out_of_order_are_held_then_drained_in_order(edge: Edge) -> None:
    e1, e2, e3 = edge.event(1, 1), edge.event(2, 2, 3), edge.event(4, 4)
    async with edge.ingesting(batch_size=1):
        await edge.send(e3, e2)
        await edge.processed(e3, e2)
        assert await edge.ledger() == []
        assert await edge.count("edge_pending") == 2
        await edge.send(e1)
        await edge.processed(e1)
    assert await edge.ledger() == [1, 2, 3, 4]
    assert await edge.count("edge_pending") == 0
    qty = await edge.pool.fetch("select quantity from stock_movements order by store_sequence")
    assert [r["quantity"] for r in qty] == [1, 2, 3, 4]


async def test_each_applied_run_is_acknowledged_with_the_stores_next_sequence(
    edge: Edge,
) -> None:
    e1, e2, e4 = edge.event(1, 1), edge.event(2, 2, 3), edge.event(4, 4)
    async with edge.ingesting(batch_size=1):
        await edge.send(e1)
        await edge.processed(e1)
        await edge.send(e4)  # ahead of a gap: held, so not acknowledged
        await edge.processed(e4)
        await edge.send(e2)  # fills the gap: e2 and the held e4 apply together
        await edge.processed(e2)
    rows = await edge.pool.fetch(
        "select value from outbox where topic = 'inventory.edge-acks' order by id"
    )
    acks = [decode(bytes(r["value"])).data or {} for r in rows]
    assert [a["next_sequence"] for a in acks] == [2, 5]
    assert {a["store_id"] for a in acks} == {str(edge.store_id)}
    assert {a["site_id"] for a in acks} == {str(edge.site_id)}


async def test_a_gap_never_filled_stays_pending_and_nothing_after_it_applies(edge: Edge) -> None:
    e1, e3, e4 = edge.event(1), edge.event(3), edge.event(4)
    await edge.send(e1, e3, e4)
    async with edge.ingesting(batch_size=2):
        await edge.processed(e1, e3, e4)
        await asyncio.sleep(0.5)
    assert await edge.ledger() == [1]
    rows = await edge.pool.fetch("select first_sequence from edge_pending order by 1")
    assert [r["first_sequence"] for r in rows] == [3, 4]


async def test_facts_below_zero_are_accepted_and_flagged(edge: Edge) -> None:
    issue = edge.event(1, -7, kind="issue")
    async with edge.ingesting():
        await edge.send(issue)
        await edge.processed(issue)
        assert await edge.pool.fetchval("select quantity from stock_on_hand") == -7
        assert await edge.pool.fetchval("select quantity from edge_negative_stock") == -7
        levels = await edge.pool.fetch(
            "select value from outbox where topic = 'inventory.stock-levels'"
        )
        assert decode(levels[0]["value"]).data["quantity_on_hand"] == -7  # type: ignore[index]
        receipt = edge.event(2, 7)
        await edge.send(receipt)
        await edge.processed(receipt)
    assert await edge.count("edge_negative_stock") == 0


@pytest.mark.parametrize("who", ["another site", "an unknown site"])
async def test_a_site_writing_a_store_it_does_not_manage_is_refused_and_raises_an_alert(
    edge: Edge, who: str
) -> None:
    other = uuid4()
    if who == "another site":
        edge.sites.apply(
            SiteChanged(
                site_id=other,
                name="x",
                active=True,
                store_ids=[uuid4()],
                changed_at=datetime.now(UTC),
            )
        )
    bad, good = edge.event(1, 50, site=other), edge.event(1, 5)
    await edge.send(bad, good)
    async with edge.ingesting():
        await edge.processed(bad, good)
    assert await edge.ledger() == [1]  # the site's own document applied, the other one nowhere
    assert await edge.pool.fetchval("select sum(quantity) from stock_on_hand") == 5
    reason = await edge.pool.fetchval("select reason from edge_rejections")
    assert str(other) in reason
    alert = await edge.pool.fetchval(
        "select value from outbox where topic = 'inventory.edge-rejections'"
    )
    assert decode(alert).data["event_id"] == bad.id  # type: ignore[index]
    assert await edge.pool.fetchval(
        "select dead_letter from inbox where event_id = $1", UUID(bad.id)
    )
    dead = await read_topic(edge.bootstrap, f"{edge.topic}.dlq", expect=1, needle=bad.id)
    assert str(other) in dict(dead[0].headers)["akiba-dlq-reason"].decode()


async def test_a_document_naming_an_unknown_location_is_refused_voided_and_the_rest_applies(
    edge: Edge,
) -> None:
    edge.location_id, good_location = uuid4(), edge.location_id
    bad = edge.event(1, 5)
    edge.location_id = good_location
    after = edge.event(2, 7)
    await edge.send(bad, after)
    async with edge.ingesting():
        await edge.processed(bad, after)
    assert await edge.ledger() == [2]  # sequence 1 skipped, nothing of it applied
    assert await edge.pool.fetchval("select sum(quantity) from stock_on_hand") == 7
    assert "location" in await edge.pool.fetchval("select reason from edge_rejections")
    alert = await edge.pool.fetchval(
        "select value from outbox where topic = 'inventory.edge-rejections'"
    )
    refusal = decode(alert).data or {}
    assert (refusal["event_id"], refusal["voided"]) == (bad.id, True)
    assert await edge.count("edge_pending") == 0
    assert await _acked(edge) == [3]


async def test_a_voided_document_ahead_of_a_gap_waits_and_is_skipped_in_order(
    edge: Edge,
) -> None:
    e1, bad, e3 = edge.event(1, 1), edge.event(2, -5), edge.event(3, 3)  # a negative receipt
    async with edge.ingesting(batch_size=1):
        await edge.send(bad, e3)
        await edge.processed(bad, e3)
        assert await edge.ledger() == []
        held = await edge.pool.fetch("select first_sequence, voided from edge_pending order by 1")
        assert [tuple(r) for r in held] == [(2, True), (3, False)]
        await edge.send(e1)
        await edge.processed(e1)
    assert await edge.ledger() == [1, 3]
    assert await edge.pool.fetchval("select sum(quantity) from stock_on_hand") == 4
    assert await edge.count("edge_pending") == 0
    assert (await _acked(edge))[-1] == 4


async def test_a_refusal_of_the_site_itself_voids_nothing(edge: Edge) -> None:
    other = uuid4()
    bad, after = edge.event(1, 5, site=other), edge.event(2, 5)
    await edge.send(bad, after)
    async with edge.ingesting():
        await edge.processed(bad, after)
    assert await edge.ledger() == []  # another site can't move this store's sequence
    assert await edge.count("edge_pending") == 1
    alert = await edge.pool.fetchval(
        "select value from outbox where topic = 'inventory.edge-rejections'"
    )
    assert decode(alert).data["voided"] is False  # type: ignore[index]


async def _acked(edge: Edge) -> list[int]:
    rows = await edge.pool.fetch(
        "select value from outbox where topic = 'inventory.edge-acks' order by id"
    )
    return [(decode(bytes(r["value"])).data or {})["next_sequence"] for r in rows]
