"""Proof the pipeline did the work it was timed on: every unit on hand, nothing dead-lettered."""

from __future__ import annotations

from typing import Any

from aiokafka import TopicPartition

from akiba_contracts.catalogue import topic
from akiba_inventory.projector import LEVELS
from akiba_platform import kafka
from bench.env import Env
from bench.events import Workload


async def after_pipeline(env: Env, work: Workload) -> dict[str, Any]:
    """Compare stock on hand with the workload and count what the run published."""
    on_hand = await env.pool.fetchval("select coalesce(sum(quantity_on_hand), 0) from stock_levels")
    dead = await env.pool.fetchval("select count(*) from inbox where dead_letter")
    expected = sum(int((m.event.data or {})["quantity"]) for m in work.messages)
    levels = await _records(env.bootstrap, env.levels_topic, topic(LEVELS).partitions)
    return {
        "on_hand_matches": int(on_hand) == expected,
        "dead_letters": int(dead),
        "stock_lines": int(await env.pool.fetchval("select count(*) from stock_levels")),
        "level_events_published": levels,
    }


async def _records(bootstrap: str, name: str, partitions: int) -> int:
    """How many records a topic holds (no deletions or compaction have run yet)."""
    consumer = kafka.consumer(bootstrap, "unused", group_id=None)
    await consumer.start()
    try:
        parts = [TopicPartition(name, p) for p in range(partitions)]
        return sum((await consumer.end_offsets(parts)).values())
    finally:
        await consumer.stop()
