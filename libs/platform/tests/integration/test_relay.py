"""The relay publishes every committed outbox row, even when transactions commit out of order."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import OutOfOrderSequenceNumber

from akiba_contracts.envelope import decode
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Databases, Topics
from akiba_devtools.testing.topics import read_topic
from akiba_platform import kafka
from akiba_platform.db import create_pool
from akiba_platform.outbox import AsyncpgOutbox
from akiba_platform.relay import OutboxRelay

from ..conftest import message


async def test_a_row_waits_while_an_older_transaction_is_still_running(
    platform_db: asyncpg.Pool[Any],
) -> None:
    async with platform_db.acquire() as slow, platform_db.acquire() as fast:
        slow_tx = slow.transaction()
        await slow_tx.start()
        await AsyncpgOutbox(slow).put([message(n=1)])  # takes the older xid and the lower id
        async with fast.transaction():
            await AsyncpgOutbox(fast).put([message(n=2)])
        reader = AsyncpgOutbox(await platform_db.acquire())
        try:
            assert await reader.pending(10) == []  # the fast row must not jump the slow one
            await slow_tx.commit()
            assert [p.id for p in await reader.pending(10)] == sorted(
                p.id for p in await reader.pending(10)
            )
            assert len(await reader.pending(10)) == 2
        finally:
            await platform_db.release(reader._conn)


async def test_the_oldest_waiting_row_gives_the_outbox_its_age_and_an_empty_outbox_none(
    platform_db: asyncpg.Pool[Any],
) -> None:
    async with platform_db.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        try:  # other tests' rows are set aside in a transaction rolled back at the end
            outbox = AsyncpgOutbox(conn)
            await conn.execute("delete from outbox")
            assert await outbox.oldest_age() == 0.0
            await outbox.put([message(n=1), message(n=2)])
            await conn.execute(
                "update outbox set created_at = clock_timestamp() - interval '1 minute'"
                " where id = (select min(id) from outbox)"
            )
            assert 60 <= await outbox.oldest_age() < 120
        finally:
            await tx.rollback()


async def test_two_hundred_transactions_committing_out_of_order_are_all_published(
    databases: Databases, topics: Topics, kafka_bootstrap: str
) -> None:
    topic = await topics.create("relay")
    pool = await create_pool(await databases.create(), min_size=10, max_size=210)
    producer = kafka.producer(kafka_bootstrap)
    await producer.start()
    relay = OutboxRelay(pool, producer, batch_size=50, idle_seconds=0.005)
    commits: list[int] = []
    writes = asyncio.gather(*(_slow_write(pool, topic, i, commits) for i in range(200)))
    await _drain(pool, relay, producer, writes)
    sent = writes.result()
    ids_in_id_order = [i for _, i in sorted(sent)]
    assert commits != ids_in_id_order, "the test must make transactions commit out of order"
    records = await read_topic(kafka_bootstrap, topic, expect=200)
    published = [decode(r.value or b"").data or {} for r in records]
    assert sorted({p["n"] for p in published}) == list(range(200))


async def test_batches_sent_while_the_one_before_is_confirmed_keep_a_keys_order_once_each(
    databases: Databases, topics: Topics, kafka_bootstrap: str
) -> None:
    topic = await topics.create("relay", partitions=1)
    pool = await create_pool(await databases.create(), max_size=4)
    for first in range(0, 1_000, 100):
        async with pool.acquire() as conn, conn.transaction():
            await AsyncpgOutbox(conn).put([message(topic, n=n) for n in range(first, first + 100)])
    producer = kafka.producer(kafka_bootstrap)
    await producer.start()
    await _drain(pool, OutboxRelay(pool, producer, batch_size=30), producer)
    records = await read_topic(kafka_bootstrap, topic, expect=1_000)
    assert [(decode(r.value or b"").data or {})["n"] for r in records] == list(range(1_000))


async def _drain(
    pool: asyncpg.Pool[Any],
    relay: OutboxRelay,
    producer: AIOKafkaProducer,
    writes: Awaitable[object] | None = None,
) -> None:
    """Run the relay (while `writes` run, if given) until the outbox is empty; then stop it,
    the producer and the pool."""
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        if writes is not None:
            await writes
        await wait_until(lambda: _outbox_empty(pool), what="the outbox to drain")
    finally:
        stop.set()
        await running
        await producer.stop()
        await pool.close()


async def _slow_write(
    pool: asyncpg.Pool[Any], topic: str, n: int, commits: list[int]
) -> tuple[int, int]:
    async with pool.acquire() as conn, conn.transaction():
        await AsyncpgOutbox(conn).put([message(topic, n=n)])
        row_id = await conn.fetchval("select max(id) from outbox where xid = pg_current_xact_id()")
        await asyncio.sleep(random.uniform(0, 0.3))
    commits.append(n)
    return int(row_id), n


async def _outbox_empty(pool: asyncpg.Pool[Any]) -> bool:
    return await pool.fetchval("select count(*) from outbox") == 0


__all__ = ["UUID"]


class _OutOfSequence(AIOKafkaProducer):  # type: ignore[misc]
    """A producer stuck as one is after a broker restart: every send fails for good."""

    refused = 0

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        self.refused += 1
        raise OutOfOrderSequenceNumber()

    async def send_batch(self, *args: Any, **kwargs: Any) -> Any:
        self.refused += 1
        raise OutOfOrderSequenceNumber()


async def test_a_producer_out_of_sequence_is_replaced_and_nothing_is_lost(
    databases: Databases, topics: Topics, kafka_bootstrap: str
) -> None:
    topic = await topics.create("relay")
    pool = await create_pool(await databases.create(), max_size=4)
    stuck = _OutOfSequence(bootstrap_servers=kafka_bootstrap)
    await stuck.start()
    async with pool.acquire() as conn, conn.transaction():
        await AsyncpgOutbox(conn).put([message(topic, n=n) for n in range(3)])
    relay = OutboxRelay(
        pool, stuck, idle_seconds=0.005, new_producer=lambda: kafka.producer(kafka_bootstrap)
    )
    await _drain(pool, relay, stuck)
    records = await read_topic(kafka_bootstrap, topic, expect=3)
    assert sorted((decode(r.value or b"").data or {})["n"] for r in records) == [0, 1, 2]
    assert stuck.refused >= 1, "the stuck producer must have been tried first"
