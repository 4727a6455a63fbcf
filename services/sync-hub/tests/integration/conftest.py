"""The hub's API and feed builder on a fresh database, the real Kafka and a test token issuer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from akiba_contracts.catalogue import all_topics, topic_for
from akiba_contracts.catalogue import topic as catalogue_topic
from akiba_contracts.envelope import CloudEvent, encode, new_event
from akiba_contracts.payloads import Payload, SiteChanged
from akiba_contracts.payloads.edge import SiteStockRecorded
from akiba_contracts.payloads.requisition_edge import SiteRequisitionRecorded
from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing.groups import start_groups_at_end
from akiba_devtools.testing.plugin import Databases
from akiba_platform import kafka
from akiba_platform.auth import SiteDirectory
from akiba_platform.consumer import consumer_loop
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer
from akiba_sync_hub.api.app import create_app
from akiba_sync_hub.bootstrap import MIGRATIONS
from akiba_sync_hub.consumers import TOPICS
from akiba_sync_hub.feed import FeedBuilder
from akiba_sync_hub.settings import Settings


def stock_document(site_id: UUID, store_id: UUID, seq: int = 1, **extra: Any) -> CloudEvent:
    """A one-line receipt recorded at a site, as its gateway would push it."""
    now = datetime.now(UTC)
    payload = SiteStockRecorded.model_validate(
        {
            "document_id": uuid4(),
            "store_id": store_id,
            "document_type": "receipt",
            "occurred_at": now,
            "recorded_at": now,
            "actor": "nurse",
            "lines": [
                {
                    "movement_id": uuid4(),
                    "item_id": uuid4(),
                    "lot_code": "LOT-1",
                    "movement_type": "receipt",
                    "quantity": 10,
                }
            ],
        }
    )
    return new_event(
        source=f"/akiba/sites/{site_id}",
        type=payload.event_type,
        subject=f"stores/{store_id}",
        data=payload,
        partitionkey=str(store_id),
        siteid=str(site_id),
        storeseq=seq,
        **extra,
    )


def requisition_step(
    site_id: UUID,
    store_id: UUID,
    requisition_id: UUID,
    step: str = "INITIATE",
    expected_version: int = 0,
    **extra: Any,
) -> CloudEvent:
    """A step a site took on one of its store's requisitions, as its gateway would push it."""
    payload = SiteRequisitionRecorded.model_validate(
        {
            "requisition_id": requisition_id,
            "facility_id": store_id,
            "step": step,
            "expected_version": expected_version,
            "actor": "nurse",
            "at": datetime.now(UTC),
            "kind": "PROGRAM" if step == "INITIATE" else None,
            "program_id": uuid4(),
            "period_id": uuid4(),
            "edits": [{"orderable_id": uuid4(), "requested": 5}] if step == "EDIT" else [],
        }
    )
    return new_event(
        source=f"/akiba/sites/{site_id}",
        type=payload.event_type,
        subject=f"requisitions/{requisition_id}",
        data=payload,
        partitionkey=str(requisition_id),
        siteid=str(site_id),
        **extra,
    )


def site_changed(
    site_id: UUID, *stores: UUID, active: bool = True, version: int | None = None
) -> SiteChanged:
    """Auth's record of a site and the stores it manages."""
    return SiteChanged(
        site_id=site_id,
        name=f"site {site_id.hex[:6]}",
        active=active,
        store_ids=list(stores),
        changed_at=datetime.now(UTC),
        version=version,
    )


async def publish(bootstrap: str, *payloads: Payload) -> None:
    """Send payloads to their catalogue topics, as their owners would, and wait for the acks."""
    producer = kafka.producer(bootstrap)
    await producer.start()
    try:
        for p in payloads:
            key = p.partition_key()
            event = new_event(
                source="/akiba/tests", type=p.event_type, subject=key, data=p, partitionkey=key
            )
            await producer.send_and_wait(
                topic_for(p.event_type).name, encode(event), key=key.encode()
            )
    finally:
        await producer.stop()


async def on_topic_now(bootstrap: str, topic: str, needle: str) -> list[Any]:
    """Records mentioning `needle` among everything on the topic up to its end right now.

    A push answers only after Kafka acknowledged it, so reading to the current end sees every
    record it produced: absence is proven without waiting for anything.
    """
    # earliest: with the default (latest) a background reset can overtake the seek below and
    # the read would "prove" an absence by reading nothing.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(catalogue_topic(topic).partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        found: list[Any] = []
        while not await _reached(consumer, ends):
            batch = await consumer.getmany(timeout_ms=500)
            found += [r for rs in batch.values() for r in rs if needle.encode() in (r.value or b"")]
        return found
    finally:
        await consumer.stop()


async def _reached(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    return all([await consumer.position(tp) >= end for tp, end in ends.items()])


@dataclass
class Hub:
    """One hub: its API client, its site directory, its database and its token issuer."""

    client: httpx.AsyncClient
    sites: SiteDirectory
    pool: asyncpg.Pool[Any]
    issuer: TestIssuer
    bootstrap: str
    app: Any
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def site_token(self, site_id: UUID) -> str:
        """A site's access token, as auth's client_credentials grant issues it."""
        return self.issuer.token(str(site_id), kind="site", site_id=str(site_id), username=None)

    def register(self, site: SiteChanged) -> None:
        """Make the API's in-memory auth.sites read model know the site."""
        self.sites.apply(site)

    async def push(self, site_id: UUID, events: list[Any], token: str | None = None) -> Any:
        """POST events as the site (or with the token given)."""
        body = [json.loads(encode(e)) if isinstance(e, CloudEvent) else e for e in events]
        return await self.client.post(
            f"/sites/{site_id}/events",
            json=body,
            headers={"authorization": f"Bearer {token or self.site_token(site_id)}"},
        )

    async def pull(self, site_id: UUID, after: int = 0, limit: int | None = None) -> Any:
        """GET one feed page as the site."""
        params = {"after": after} | ({"limit": limit} if limit else {})
        r = await self.client.get(
            f"/sites/{site_id}/feed",
            params=params,
            headers={"authorization": f"Bearer {self.site_token(site_id)}"},
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def pull_all(
        self, site_id: UUID, after: int = 0, limit: int = 50
    ) -> tuple[list[Any], int]:
        """Every entry after the cursor, page by page, and the final cursor."""
        entries: list[Any] = []
        while True:
            page = await self.pull(site_id, after, limit)
            entries += page["entries"]
            after = page["cursor"]
            if not page["more"]:
                return entries, after

    def build_feed(self, group: str) -> None:
        """Run the feed builder (its own consumer group) until the test ends."""

        async def run() -> None:
            stop = asyncio.Event()
            producer = kafka.producer(self.bootstrap)
            await producer.start()
            try:
                async with consumer_loop(
                    self.bootstrap,
                    name="sync-hub.feed",
                    group=group,
                    topics=TOPICS,
                    pool=self.pool,
                    handler=FeedBuilder(),
                    dlq_producer=producer,
                ) as loop:
                    await loop.run(stop)
            finally:
                await producer.stop()

        self.tasks.append(asyncio.create_task(run()))


@pytest.fixture
def hub_settings() -> dict[str, Any]:
    """Settings of the hub under test beyond the defaults (a module overrides it to change them)."""
    return {"push_batch_limit": 5}


@pytest.fixture
async def hub(
    databases: Databases, stack: StackEndpoints, hub_settings: dict[str, Any]
) -> AsyncIterator[Hub]:
    """A hub API (in process, over ASGI) on a migrated database; feed builders stopped after."""
    await kafka.ensure_topics(stack.kafka_bootstrap, all_topics())
    dsn = await databases.create({"sync-hub": MIGRATIONS})
    settings = Settings(
        database_url=dsn, kafka_bootstrap_servers=stack.kafka_bootstrap, **hub_settings
    )
    pool = await create_pool(dsn)
    issuer, sites = TestIssuer(), SiteDirectory()
    app = create_app(settings, pool, issuer.authorizer, sites)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            h = Hub(client, sites, pool, issuer, stack.kafka_bootstrap, app)
            yield h
            for t in h.tasks:
                t.cancel()
            await asyncio.gather(*h.tasks, return_exceptions=True)
    await pool.close()


@pytest.fixture
async def feed_of(hub: Hub) -> Hub:
    """The hub with its feed builder running on its own consumer group, from now on (not the
    records every earlier test and benchmark left on the broker)."""
    group = f"sync-hub-test-{uuid4().hex}"
    await start_groups_at_end(hub.bootstrap, [group])
    hub.build_feed(group)
    return hub
