"""Edge ingestion's test harness: a site-written store, its documents, the real consumer loop."""

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
from akiba_contracts.payloads.edge import SiteStockRecorded, SiteStockRecordedV1
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Databases, Topics
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.consumers.edge.ingest import NAME, EdgeIngestor, EdgeRules
from akiba_inventory.consumers.edge.writers import apply_sites
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import kafka
from akiba_platform.consumer import ConsumerLoop
from akiba_platform.db import create_pool


class Edge:
    """A store written at a site, with an item, a location and a reason; a topic."""

    def __init__(self, pool: asyncpg.Pool[Any], bootstrap: str, topic: str) -> None:
        self.pool, self.bootstrap, self.topic = pool, bootstrap, topic
        self.store_id, self.item_id, self.site_id = uuid4(), uuid4(), uuid4()
        self.location_id, self.reason_id = uuid4(), uuid4()
        self.rules = EdgeRules()

    def site(
        self, site_id: UUID, *stores: UUID, version: int = 1, active: bool = True
    ) -> SiteChanged:
        """Auth's record of a site and the stores it writes."""
        return SiteChanged(
            site_id=site_id,
            name="clinic",
            active=active,
            store_ids=list(stores),
            changed_at=datetime.now(UTC),
            version=version,
        )

    def site_event(self, record: SiteChanged) -> CloudEvent:
        """The record as auth.sites carries it."""
        return new_event(
            source="/akiba/auth", type=record.event_type, subject=f"sites/{record.site_id}",
            data=record, partitionkey=str(record.site_id),
        )  # fmt: skip

    async def assign(self, *records: SiteChanged) -> None:
        """Apply site records as the ingestion consumer would, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            uow = InventoryUnitOfWork.joining(conn)
            await apply_sites(uow, records)
            await uow.commit()

    def event(
        self,
        seq: int,
        *quantities: int,
        site: UUID | None = None,
        kind: str = "receipt",
        siteversion: int | None = None,
        v1: bool = False,
        **line: Any,
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
                **line,
            }
            for q in quantities or (1,)
        ]
        model = SiteStockRecordedV1 if v1 else SiteStockRecorded
        payload = model.model_validate(
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
            siteversion=siteversion,
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
            handler=EdgeIngestor(self.rules),
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

    async def refusals(self) -> dict[str, dict[str, Any]]:
        """The refusals announced on inventory.edge-rejections, by event id."""
        rows = await self.pool.fetch(
            "select value from outbox where topic = 'inventory.edge-rejections' order by id"
        )
        found = [decode(bytes(r["value"])).data or {} for r in rows]
        return {f["event_id"]: f for f in found}

    async def dead(self, event: CloudEvent) -> bool:
        """Whether the event was dead-lettered."""
        return bool(
            await self.pool.fetchval(
                "select dead_letter from inbox where event_id = $1", UUID(event.id)
            )
        )


@pytest.fixture
async def edge(databases: Databases, topics: Topics, kafka_bootstrap: str) -> AsyncIterator[Edge]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    e = Edge(pool, kafka_bootstrap, await topics.create("sites", partitions=1))
    async with pool.acquire() as c:
        await c.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 'c')",
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
    await e.assign(e.site(e.site_id, e.store_id))
    yield e
    await pool.close()
