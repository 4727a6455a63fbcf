"""Kafka clients for operator commands, configured from the deployment's AKIBA_* settings."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord

from akiba_platform import kafka
from akiba_platform.settings import ServiceSettings

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


def add_bootstrap(parser: argparse.ArgumentParser) -> None:
    """`--bootstrap`, defaulting to AKIBA_KAFKA_BOOTSTRAP_SERVERS (SASL from AKIBA_KAFKA_*)."""
    parser.add_argument(
        "--bootstrap", help="Kafka bootstrap servers (default: AKIBA_KAFKA_BOOTSTRAP_SERVERS)"
    )


def bootstrap(args: argparse.Namespace) -> str:
    """The bootstrap servers, with every client authenticating as the environment says."""
    settings = ServiceSettings()
    kafka.configure(settings)
    return str(args.bootstrap or settings.kafka_bootstrap_servers)


@asynccontextmanager
async def admin(servers: str) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client."""
    client = AIOKafkaAdminClient(bootstrap_servers=servers, **kafka.options())
    await client.start()
    try:
        yield client
    finally:
        await client.close()


@asynccontextmanager
async def reader(servers: str) -> AsyncIterator[AIOKafkaConsumer]:
    """A started consumer outside any group: it reads, never commits."""
    client = AIOKafkaConsumer(
        bootstrap_servers=servers,
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        **kafka.options(),
    )
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


async def read_to_end(client: AIOKafkaConsumer, topics: list[str]) -> list[Record]:
    """Every record now in the topics' partitions, from the start (a snapshot: no waiting)."""
    parts = [TopicPartition(t, p) for t in topics for p in sorted(await _partitions(client, t))]
    if not parts:
        return []
    client.assign(parts)
    ends: dict[TopicPartition, int] = await client.end_offsets(parts)
    await client.seek_to_beginning(*parts)
    todo = {tp for tp in parts if await client.position(tp) < ends[tp]}
    found: list[Record] = []
    while todo:
        batches = await client.getmany(*todo, timeout_ms=1000)
        for tp, records in batches.items():
            found += [r for r in records if r.offset < ends[tp]]
            if records and records[-1].offset + 1 >= ends[tp]:
                todo.discard(tp)
        todo = {tp for tp in todo if await client.position(tp) < ends[tp]}
    return found


async def _partitions(client: AIOKafkaConsumer, topic: str) -> set[int]:
    found: Any = client.partitions_for_topic(topic)
    if found is None:
        await client._client.force_metadata_update()  # aiokafka has no public refresh
        found = client.partitions_for_topic(topic)
    return set(found or ())
