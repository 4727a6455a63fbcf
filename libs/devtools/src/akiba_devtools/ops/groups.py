"""Consumer groups' committed offsets set back to the positions a restored database holds.

A consumer resumes a partition from the position its database stored with its effects; only a
partition it has no position for falls back to the group's committed offset. After a restore
that offset is newer than the database: events the database never saw would be skipped. So
before the services start, each group's offsets are set to the database's positions, and to
the start of the partition where the database has none (a group's first read, as
`auto_offset_reset=earliest` would do it; the inbox skips what was already applied).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError

from akiba_devtools.ops._kafka import admin
from akiba_devtools.stack.errors import StackError
from akiba_platform import kafka

# A member killed with the old server stays in its group until its session times out.
WAIT_FOR_EMPTY_GROUP = 90.0


async def align(url: str, servers: str, prefix: str) -> dict[str, int]:
    """Commit the database's positions for each of its consumers' groups; partitions per group."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select consumer, topic, partition, next_offset from consumer_positions"
        )
    finally:
        await conn.close()
    stored: dict[str, dict[TopicPartition, int]] = defaultdict(dict)
    for r in rows:
        stored[r["consumer"]][TopicPartition(r["topic"], r["partition"])] = r["next_offset"]
    topics = sorted({tp.topic for positions in stored.values() for tp in positions})
    counts = await _partitions(servers, topics)
    done = {}
    for consumer, positions in stored.items():
        every = [TopicPartition(t, p) for t in {tp.topic for tp in positions} for p in counts[t]]
        done[prefix + consumer] = await _commit(servers, prefix + consumer, every, positions)
    return done


async def _partitions(servers: str, topics: list[str]) -> dict[str, list[int]]:
    if not topics:
        return {}
    async with admin(servers) as client:
        described = await client.describe_topics(topics)
    return {t["topic"]: sorted(p["partition"] for p in t["partitions"]) for t in described}


async def _commit(
    servers: str, group: str, every: list[TopicPartition], positions: dict[TopicPartition, int]
) -> int:
    """Commit, retrying while the group still has members (it accepts none until it is empty)."""
    deadline = time.monotonic() + WAIT_FOR_EMPTY_GROUP
    while True:
        member = AIOKafkaConsumer(
            bootstrap_servers=servers, group_id=group, enable_auto_commit=False, **kafka.options()
        )
        await member.start()
        try:
            member.assign(every)
            starts = await member.beginning_offsets([tp for tp in every if tp not in positions])
            await member.commit({**starts, **positions})
            return len(every)
        except (CommitFailedError, KafkaError) as exc:
            if time.monotonic() > deadline:
                raise StackError(
                    f"group {group} still has members after {WAIT_FOR_EMPTY_GROUP:.0f} s:"
                    " stop every process of the restored service first",
                    str(exc),
                ) from exc
        finally:
            await member.stop()
        await asyncio.sleep(2)
