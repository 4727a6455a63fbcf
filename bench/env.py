"""The bench's private corner of the stack: a fresh database and fresh topics, removed after."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import asyncpg
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from akiba_contracts.catalogue import Topic, dlq_topic, topic
from akiba_devtools import stack
from akiba_devtools.testing.databases import scratch_database as _database
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.outbound import LEVELS
from akiba_platform import kafka
from akiba_platform.db import create_pool
from akiba_platform.migrations import migrate

MOVEMENTS = topic("inventory.stock-movements")
KINDS = ("relay", "e2e", "raw", "levels", "split")
T = TypeVar("T")

# Rows bound for inventory.stock-levels go to the bench's own levels topic instead, so a run
# never writes into a real deployment's compacted topic.
_ROUTE_LEVELS = """
create function bench_route_levels() returns trigger language plpgsql as $$
begin new.topic := {target}; return new; end $$;
create trigger bench_route_levels before insert on outbox for each row
    when (new.topic = {source}) execute function bench_route_levels();
"""


@dataclass(frozen=True)
class Env:
    """Where one run writes: its database, its topics and a pool for the bench's own queries."""

    bootstrap: str
    dsn: str
    pool: asyncpg.Pool[Any]
    relay_topic: str  # filled by the relay-only phase, drained by the consumer-only phase
    e2e_topic: str
    raw_topic: str
    levels_topic: str
    split_topic: str  # end to end with the relay in a process of its own

    async def truncate(self) -> None:
        """Empty the tables the pipeline writes, so every phase starts alike."""
        await self.pool.execute("truncate outbox, inbox, stock_levels")


@asynccontextmanager
async def bench_env() -> AsyncIterator[Env]:
    """Start or find the stack (StackConfig.from_env), then set up and tear down one run."""
    endpoints = await asyncio.to_thread(stack.up)
    run = uuid.uuid4().hex[:10]
    topics = {kind: f"bench.{run}.{kind}" for kind in KINDS}
    async with AsyncExitStack() as cleanup:
        dsn = await _database(endpoints.pg_url, f"akiba_bench_{run}", cleanup)
        await _topics_ready(endpoints.kafka_bootstrap, _topics(topics), cleanup)
        await migrate(dsn, {"inventory": MIGRATIONS})
        pool = await create_pool(dsn, max_size=4)
        cleanup.push_async_callback(pool.close)
        await pool.execute(_route_levels(topics["levels"]))
        yield Env(endpoints.kafka_bootstrap, dsn, pool, *(topics[k] for k in KINDS))


def _route_levels(target: str) -> str:
    def literal(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    return _ROUTE_LEVELS.format(target=literal(target), source=literal(LEVELS))


def _topics(names: dict[str, str]) -> list[Topic]:
    """Catalogue twins: movements topics as the catalogue's, each with its dead-letter topic."""
    levels = topic(LEVELS)
    out = [replace(levels, name=names["levels"])]
    for kind in ("relay", "e2e", "raw", "split"):
        twin = replace(MOVEMENTS, name=names[kind])
        out += [twin, replace(dlq_topic(MOVEMENTS), name=f"{twin.name}.dlq")]
    return out


async def _topics_ready(bootstrap: str, topics: list[Topic], cleanup: AsyncExitStack) -> None:
    """Create the topics, delete them at the end, and wait until every partition has a leader."""
    created = await kafka.ensure_topics(bootstrap, topics)
    cleanup.push_async_callback(_admin, bootstrap, lambda a: a.delete_topics(created))
    names = [t.name for t in topics]
    deadline = time.monotonic() + 30
    while not await _admin(bootstrap, lambda a: _have_leaders(a, names)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"partitions of {names} still have no leader after 30 s")
        await asyncio.sleep(0.1)
    await _logs_exist(bootstrap, topics)


async def _logs_exist(bootstrap: str, topics: list[Topic]) -> None:
    """Ask every partition's leader for its end offset: it answers once its log exists.

    Metadata names a leader before the broker has created the partition's log; a producer that
    starts in between gets NotLeaderForPartition and backs off, which would land in the timings.
    """
    consumer = kafka.consumer(bootstrap, "unused", group_id=None)
    await consumer.start()
    try:
        parts = [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]
        await asyncio.wait_for(consumer.end_offsets(parts), 30)
    finally:
        await consumer.stop()


async def _have_leaders(admin: AIOKafkaAdminClient, names: list[str]) -> bool:
    described = await admin.describe_topics(names)
    return len(described) == len(names) and all(
        t["error_code"] == 0 and all(p["leader"] >= 0 for p in t["partitions"]) for t in described
    )


async def _admin(bootstrap: str, call: Callable[[AIOKafkaAdminClient], Awaitable[T]]) -> T:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await call(admin)
    finally:
        await admin.close()
