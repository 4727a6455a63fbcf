"""Kafka clients for operator commands, configured from the deployment's AKIBA_* settings."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord

from akiba_platform import kafka
from akiba_platform.settings import ServiceSettings

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


class MetadataUnavailable(RuntimeError):
    """Kafka did not say where a topic's partitions are (a broker starting, a leader lost)."""


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
        # A partition assigned without a position must start at its beginning: with the
        # default (latest) a background reset could land after our seek and hide every record.
        auto_offset_reset="earliest",
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
    starts: dict[TopicPartition, int] = await client.beginning_offsets(parts)
    for tp, start in starts.items():
        client.seek(tp, start)
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


async def _partitions(client: AIOKafkaConsumer, topic: str, wait: float = 15.0) -> set[int]:
    """The partitions of a topic that exists; an error rather than none while metadata lags.

    A broker that has just started (or lost a leader) can answer metadata without the topic's
    partitions; reading that as "no records" would print an empty list of dead letters.
    """
    deadline = asyncio.get_running_loop().time() + wait
    found: Any = client.partitions_for_topic(topic)
    while not found:
        if asyncio.get_running_loop().time() > deadline:
            raise MetadataUnavailable(f"Kafka gave no partitions for {topic} within {wait:.0f} s")
        await client._client.force_metadata_update()  # aiokafka has no public refresh
        found = client.partitions_for_topic(topic)
        if not found:
            await asyncio.sleep(0.5)
    return set(found)
