"""The one place that names concrete classes and builds the roles __main__ names."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from akiba_contracts.catalogue import all_topics
from akiba_contracts.envelope import CloudEvent
from akiba_inventory.consumers import alerting, edge, projector, shipments
from akiba_inventory.consumers.edge.keeper import EdgeKeeper
from akiba_inventory.outbound import MOVEMENTS
from akiba_inventory.settings import Settings
from akiba_platform import (
    BatchHandler,
    ConsumerLoop,
    Role,
    ServiceSpec,
    consumer_loop,
    consumer_role,
    kafka,
    migrate,
    open_pool,
)

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SERVICE = ServiceSpec(
    name="inventory", module="akiba_inventory", http_port=8101, database="inventory"
)


async def prepare(settings: Settings) -> None:
    """Migrate the database and create the catalogue's topics (both idempotent)."""
    await migrate(settings.database_url, {"inventory": MIGRATIONS})
    await kafka.ensure_topics(
        settings.kafka_bootstrap_servers, all_topics(), kafka.Replication.of(settings)
    )


@asynccontextmanager
async def pool_and_producer(
    settings: Settings,
) -> AsyncIterator[tuple[asyncpg.Pool[Any], AIOKafkaProducer]]:
    async with open_pool(settings) as pool:
        producer = kafka.producer(settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            yield pool, producer
        finally:
            await producer.stop()


def projector_role(settings: Settings) -> Role:
    """Project stock levels from the movements topic."""
    return consumer_role(
        settings,
        projector.NAME,
        [MOVEMENTS],
        projector.project,
        batch_size=projector.BATCH_SIZE,
        envelope=projector.MovementEvent,
    )


def shipments_role(settings: Settings) -> Role:
    """Reserve, release, issue and receive fulfillment's shipments in the ledger."""
    return consumer_role(settings, shipments.NAME, [shipments.TOPIC], shipments.apply)


def edge_rules(settings: Settings) -> edge.EdgeRules:
    """Edge ingestion's limits from the settings."""
    return edge.EdgeRules(settings.edge_max_ahead, settings.edge_drain_per_store)


def ingest_role(settings: Settings) -> Role:
    """Apply site documents and auth's site records; keep held documents moving."""

    async def run(stop: asyncio.Event) -> None:
        rules = edge_rules(settings)
        async with (
            pool_and_producer(settings) as (pool, producer),
            _loop(
                settings,
                edge.NAME,
                edge.TOPICS,
                pool,
                producer,
                edge.EdgeIngestor(rules),
                envelope=edge.SiteEvent,
            ) as loop,
            asyncio.TaskGroup() as tasks,
        ):
            keeper = EdgeKeeper(pool, rules, timedelta(seconds=settings.edge_stall_seconds))
            tasks.create_task(loop.run(stop, batch_size=settings.ingest_batch_size))
            tasks.create_task(keeper.run(stop, settings.edge_keeper_seconds))

    return run


def alert_role(settings: Settings) -> Role:
    """Evaluate alerts after movements, and sweep them for the passing of time."""

    async def run(stop: asyncio.Event) -> None:
        async with (
            pool_and_producer(settings) as (pool, producer),
            _loop(settings, alerting.NAME, MOVEMENTS, pool, producer, alerting.evaluator()) as loop,
            asyncio.TaskGroup() as tasks,
        ):
            tasks.create_task(loop.run(stop, batch_size=settings.consumer_batch_size))
            tasks.create_task(
                alerting.sweep_periodically(
                    pool,
                    stop,
                    every=timedelta(seconds=settings.alert_sweep_every_seconds),
                    poll_seconds=settings.alert_sweep_poll_seconds,
                    chunk=settings.alert_sweep_chunk,
                )
            )

    return run


def _loop(
    settings: Settings,
    name: str,
    topics: str | tuple[str, ...],
    pool: asyncpg.Pool[Any],
    producer: AIOKafkaProducer,
    handler: BatchHandler,
    envelope: type[CloudEvent] = CloudEvent,
) -> AbstractAsyncContextManager[ConsumerLoop]:
    return consumer_loop(
        settings.kafka_bootstrap_servers,
        name=name,
        topics=[topics] if isinstance(topics, str) else list(topics),
        pool=pool,
        handler=handler,
        dlq_producer=producer,
        group=settings.consumer_group_prefix + name,
        envelope=envelope,
    )
