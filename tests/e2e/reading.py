"""Finding one event's records on a shared topic."""

from __future__ import annotations

import time
import uuid

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord


async def records_with(
    bootstrap: str, topic: str, needle: str, expect: int, timeout: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Records of a topic whose value mentions `needle`, read from the start."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < expect and time.monotonic() < deadline:
            for part in (await consumer.getmany(timeout_ms=300)).values():
                found += [r for r in part if needle.encode() in (r.value or b"")]
    finally:
        await consumer.stop()
    return found
