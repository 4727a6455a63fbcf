"""Raw baselines on the same broker and server: aiokafka and asyncpg COPY with no platform."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from akiba_platform import kafka
from bench.env import MOVEMENTS, Env
from bench.events import Workload
from bench.measure import Measurement, Stopwatch

WARM_UP = 1_000
COLUMNS = ("topic", "key", "event_id", "event_type", "traceparent", "value")


async def produce(env: Env, work: Workload, min_seconds: float) -> Measurement:
    """The same values and keys, acks=all and idempotent (the platform's producer settings)."""
    producer = kafka.producer(env.bootstrap)
    await producer.start()
    try:
        await _send(producer, env.raw_topic, work.values[:WARM_UP], work.keys[:WARM_UP])
        watch, passes = Stopwatch(), 0
        while passes == 0 or watch.elapsed()[0] < min_seconds:
            await _send(producer, env.raw_topic, work.values, work.keys)
            passes += 1
        wall, cpu = watch.elapsed()
    finally:
        await producer.stop()
    n = len(work.values)
    return Measurement("raw produce", n * passes, wall, cpu, work.payload_bytes * passes, passes)


async def _send(
    producer: AIOKafkaProducer, topic: str, values: list[bytes], keys: list[bytes]
) -> None:
    futures = [await producer.send(topic, v, key=k) for v, k in zip(values, keys, strict=True)]
    await asyncio.gather(*futures)


async def consume(env: Env, batch_size: int, min_seconds: float) -> Measurement:
    """Everything raw produce wrote, read with getmany and dropped, from the start each pass."""
    # The platform's consumer settings without a group: assigned partitions, nothing committed.
    consumer = kafka.consumer(env.bootstrap, "unused", group_id=None)
    await consumer.start()
    try:
        parts = [TopicPartition(env.raw_topic, p) for p in range(MOVEMENTS.partitions)]
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        total = sum(ends.values())
        await _drain(consumer, WARM_UP, batch_size)
        watch, passes, size = Stopwatch(), 0, 0
        while passes == 0 or watch.elapsed()[0] < min_seconds:
            await consumer.seek_to_beginning(*parts)
            size += await _drain(consumer, total, batch_size)
            passes += 1
        wall, cpu = watch.elapsed()
    finally:
        await consumer.stop()
    return Measurement("raw consume", total * passes, wall, cpu, size, passes)


async def _drain(consumer: AIOKafkaConsumer, count: int, batch_size: int) -> int:
    """Read `count` records; return the bytes of their values and keys."""
    seen = size = idle = 0
    while seen < count:
        batches = await consumer.getmany(timeout_ms=200, max_records=batch_size)
        idle = 0 if batches else idle + 1
        if idle > 150:  # 30 s without a record: the topic holds less than we think
            raise TimeoutError(f"raw consume read {seen} of {count} records, then nothing")
        for records in batches.values():
            seen += len(records)
            size += sum(len(r.value or b"") + len(r.key or b"") for r in records)
    return size


async def copy(env: Env, work: Workload, min_seconds: float) -> Measurement:
    """The outbox rows, already encoded, one COPY per pass: the table the pipeline writes most."""
    rows = [
        _row(env.raw_topic, m.key, m.event.id, m.event.type, m.event.traceparent, v)
        for m, v in zip(work.messages, work.values, strict=True)
    ]
    async with env.pool.acquire() as conn:
        await conn.copy_records_to_table("outbox", records=rows[:WARM_UP], columns=COLUMNS)
        wall = cpu = 0.0
        passes = 0
        while passes == 0 or wall < min_seconds:
            await conn.execute("truncate outbox")
            watch = Stopwatch()
            await conn.copy_records_to_table("outbox", records=rows, columns=COLUMNS)
            w, c = watch.elapsed()
            wall, cpu, passes = wall + w, cpu + c, passes + 1
        await conn.execute("truncate outbox")
    return Measurement(
        "raw COPY into outbox", len(rows) * passes, wall, cpu, work.payload_bytes * passes, passes
    )


def _row(
    topic: str, key: str, event_id: str, type_: str, tp: str | None, value: bytes
) -> tuple[Any, ...]:
    return (topic, key, UUID(event_id), type_, tp, value)
