"""Reading topics back in tests."""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    expect: int,
    needle: str | None = None,
    timeout: float = 30.0,
    linger: float = 0.5,
) -> list[Any]:
    """Records of a topic from the start (those mentioning `needle`, if given).

    Reads until `expect` arrived or the deadline passed, then `linger` seconds more so
    duplicates beyond `expect` are seen too.
    """
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(found) < expect:
            found += await _poll(consumer, needle, 200)
        found += await _poll(consumer, needle, int(linger * 1000))
    finally:
        await consumer.stop()
    return found


async def _poll(consumer: AIOKafkaConsumer, needle: str | None, ms: int) -> list[Any]:
    batch = await consumer.getmany(timeout_ms=ms)
    records = [r for part in batch.values() for r in part]
    return [r for r in records if needle is None or needle.encode() in (r.value or b"")]
