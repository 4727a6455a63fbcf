"""Kafka clients configured the way the messaging rules need them."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

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


def consumer(bootstrap: str, group: str, *topics: str, **overrides: Any) -> AIOKafkaConsumer:
    """A group member that commits offsets only when told to, after the database commit."""
    options: dict[str, Any] = {
        "group_id": group,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "max_poll_records": 1000,
        "fetch_max_bytes": 16 * 1024 * 1024,
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
