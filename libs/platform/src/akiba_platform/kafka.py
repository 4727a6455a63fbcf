"""Kafka clients configured the way the messaging rules need them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.partitioner import murmur2

from akiba_contracts.catalogue import Topic

log = logging.getLogger(__name__)


def producer(bootstrap: str, **overrides: Any) -> AIOKafkaProducer:
    """An idempotent producer that waits for every in-sync replica (aiokafka's defaults don't)."""
    options: dict[str, Any] = {
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "request_timeout_ms": 30_000,
    }
    options.update(overrides)
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **options)


@dataclass(frozen=True, slots=True)
class Record:
    """One message to produce: keyed, so it lands where the default partitioner puts the key."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] | None = None


_PARTITION_CACHE_LIMIT = 100_000
_partition_of: dict[tuple[str, int, bytes], int] = {}


def partition_for(topic: str, partitions: int, key: bytes) -> int:
    """The partition aiokafka's (and Java's) default partitioner picks for a key, memoised."""
    found = _partition_of.get((topic, partitions, key))
    if found is None:
        if len(_partition_of) >= _PARTITION_CACHE_LIMIT:
            _partition_of.clear()
        found = (murmur2(key) & 0x7FFFFFFF) % partitions
        _partition_of[(topic, partitions, key)] = found
    return found


async def send_batched(
    producer: AIOKafkaProducer, records: Iterable[Record]
) -> list[asyncio.Future[Any]]:
    """Queue records as whole batches, one per partition, in the order given.

    Same placement and per-partition order as a `send` per record, at a third of the CPU:
    no per-record coroutine, future or partitioner call (murmur2 is pure Python in
    aiokafka). The futures resolve when the broker has each batch.
    """
    counts: dict[str, int] = {}
    builders: dict[tuple[str, int], Any] = {}
    futures: list[asyncio.Future[Any]] = []
    for r in records:
        n = counts.get(r.topic)
        if n is None:
            n = counts[r.topic] = len(await producer.partitions_for(r.topic))
        tp = (r.topic, partition_for(r.topic, n, r.key))
        builder = builders.get(tp)
        if builder is None:
            builder = builders[tp] = producer.create_batch()
        if builder.append(key=r.key, value=r.value, timestamp=None, headers=r.headers) is None:
            futures.append(await producer.send_batch(builder, tp[0], partition=tp[1]))
            builder = builders[tp] = producer.create_batch()
            # An empty batch takes any one record, however large (as the Java client does).
            builder.append(key=r.key, value=r.value, timestamp=None, headers=r.headers)
    for (topic, partition), builder in builders.items():
        futures.append(await producer.send_batch(builder, topic, partition=partition))
    return futures


def consumer(bootstrap: str, group: str, *topics: str, **overrides: Any) -> AIOKafkaConsumer:
    """A group member that commits offsets only when told to, after the database commit."""
    options: dict[str, Any] = {
        "group_id": group,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "max_poll_records": 1000,
        "fetch_max_bytes": 16 * 1024 * 1024,
        "fetch_max_wait_ms": 100,
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, **options)


async def ensure_topics(
    bootstrap: str, topics: Iterable[Topic], *, replication_factor: int = 1
) -> list[str]:
    """Create the catalogue's topics that don't exist yet; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [_new_topic(t, replication_factor) for t in topics if t.name not in existing]
        if new:
            # Another process may win the race; the topic is then what the catalogue says.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
        return [t.name for t in new]
    finally:
        await admin.close()


def _new_topic(t: Topic, replication_factor: int) -> NewTopic:
    config: dict[str, str] = {"cleanup.policy": t.cleanup_policy}
    if t.retention_ms is not None:
        config["retention.ms"] = str(t.retention_ms)
    return NewTopic(t.name, t.partitions, replication_factor, topic_configs=config)
