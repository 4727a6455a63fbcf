"""Reading topics back in tests."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord


async def read_topic(
    bootstrap: str, topic: str, *, expect: int, timeout: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of a topic from the start, waiting until at least `expect` arrived."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        # A little longer, so duplicates beyond `expect` would be seen too.
        await asyncio.sleep(0.5)
        for part in (await consumer.getmany(timeout_ms=500)).values():
            records.extend(part)
    finally:
        await consumer.stop()
    return records
