"""The one place that names concrete classes and builds the roles __main__ names."""

from __future__ import annotations

import asyncio
from pathlib import Path

from akiba_contracts.catalogue import all_topics
from akiba_platform import Role, ServiceSpec, consumer_loop, kafka, migrate, open_pool
from akiba_sync_hub import feed
from akiba_sync_hub.consumers import TOPICS
from akiba_sync_hub.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SERVICE = ServiceSpec(name="sync-hub", module="akiba_sync_hub", http_port=8105, database="sync_hub")


async def prepare(settings: Settings) -> None:
    """Migrate the database and create the catalogue's topics (both idempotent)."""
    await migrate(settings.database_url, {"sync-hub": MIGRATIONS})
    await kafka.ensure_topics(
        settings.kafka_bootstrap_servers, all_topics(), kafka.Replication.of(settings)
    )


def feed_role(settings: Settings) -> Role:
    """Keep the sites' feed from the reference, stock-level, ack, rejection and site topics."""

    async def run(stop: asyncio.Event) -> None:
        producer = kafka.producer(settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            async with (
                open_pool(settings) as pool,
                consumer_loop(
                    settings.kafka_bootstrap_servers,
                    name=feed.NAME,
                    topics=TOPICS,
                    pool=pool,
                    handler=feed.FeedBuilder(),
                    dlq_producer=producer,
                    group=settings.consumer_group_prefix + feed.NAME,
                ) as loop,
            ):
                await loop.run(stop, batch_size=settings.consumer_batch_size)
        finally:
            await producer.stop()

    return run
