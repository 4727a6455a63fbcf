"""Steady writes, what the cluster looked like meanwhile, and reading topics back to count."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from akiba_contracts.catalogue import all_topics

SLOW = 1.0  # seconds: a write slower than this counts as slow


@dataclass(frozen=True)
class Write:
    """One POST: when it started, how long it took, its status (0: no answer), what it made."""

    at: float
    seconds: float
    status: int
    movement_id: UUID | None


@dataclass
class Writer:
    """POSTs a receipt, one after another, until stopped; keeps every outcome."""

    url: str
    body: Callable[[], dict[str, Any]]
    headers: Callable[[], Awaitable[dict[str, str]]]
    pause: float = 0.05
    writes: list[Write] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        """Write until `stop` is set."""
        async with httpx.AsyncClient(timeout=30) as client:
            while not stop.is_set():
                await self._one(client)
                await asyncio.sleep(self.pause)

    async def _one(self, client: httpx.AsyncClient) -> None:
        headers = {**await self.headers(), "idempotency-key": str(uuid.uuid4())}
        began = time.monotonic()
        try:
            r = await client.post(self.url, json=self.body(), headers=headers)
            status = r.status_code
            made = UUID(r.json()["movement_id"]) if 200 <= status < 300 else None
        except httpx.HTTPError:
            status, made = 0, None
        self.writes.append(Write(began, time.monotonic() - began, status, made))

    @property
    def acknowledged(self) -> list[UUID]:
        """The movements of every write answered 2xx."""
        return [w.movement_id for w in self.writes if w.movement_id is not None]


@dataclass(frozen=True)
class Window:
    """What the writes in a span of time saw."""

    writes: int
    refused: int
    slow: int
    p50: float
    worst: float

    @classmethod
    def of(cls, writes: list[Write], start: float, end: float) -> Window:
        """The writes that began within [start, end)."""
        inside = [w for w in writes if start <= w.at < end]
        times = [w.seconds for w in inside] or [0.0]
        refused = sum(1 for w in inside if not 200 <= w.status < 300)
        slow = sum(1 for w in inside if w.seconds > SLOW)
        return cls(len(inside), refused, slow, statistics.median(times), max(times))

    def __str__(self) -> str:
        return (
            f"{self.writes} writes, {self.refused} refused, {self.slow} slower than {SLOW:.0f} s,"
            f" p50 {self.p50 * 1000:.0f} ms, worst {self.worst:.2f} s"
        )


@dataclass
class Sampler:
    """Samples a number over time (e.g. central's ledger rows of the site's stores)."""

    read: Callable[[], Awaitable[int]]
    every: float = 0.25
    samples: list[tuple[float, int]] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        """Sample until `stop` is set."""
        while not stop.is_set():
            # A read that fails while leaders move is a gap in the samples, not a failure.
            with contextlib.suppress(Exception):
                self.samples.append((time.monotonic(), await self.read()))
            await asyncio.sleep(self.every)

    def longest_stall(self, start: float, end: float) -> float:
        """The longest time within [start, end) the number did not grow."""
        inside = [(t, n) for t, n in self.samples if start <= t < end]
        longest, since, last = 0.0, start, None
        for t, n in inside:
            if last is not None and n > last:
                longest, since = max(longest, t - since), t
            last = n
        return max(longest, (inside[-1][0] - since) if inside else 0.0)


async def leaders(bootstrap: str, topics: list[str]) -> dict[tuple[str, int], int]:
    """(topic, partition) -> the node leading it, as the cluster's metadata says."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return {(t["topic"], p["partition"]): p["leader"] for t in described for p in t["partitions"]}


async def under_replicated(bootstrap: str, topics: list[str]) -> int:
    """How many of the topics' partitions have fewer in-sync replicas than replicas."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return sum(1 for t in described for p in t["partitions"] if len(p["isr"]) < len(p["replicas"]))


async def all_topics_on(bootstrap: str) -> list[str]:
    """Every topic the cluster has, internal ones included."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return sorted(await admin.list_topics())
    finally:
        await admin.close()


def _partitions(topic: str) -> list[TopicPartition]:
    """A topic's partitions, as the catalogue (which topics never outgrow) gives them."""
    count = {t.name: t.partitions for t in all_topics()}[topic]
    return [TopicPartition(topic, p) for p in range(count)]


async def read_all(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every committed record of a topic from its start to its end now, as CloudEvents."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
    )
    await consumer.start()
    try:
        partitions = _partitions(topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[dict[str, Any]] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batch = await consumer.getmany(timeout_ms=1000)
            found += [orjson.loads(r.value or b"{}") for rs in batch.values() for r in rs]
        return found
    finally:
        await consumer.stop()


async def records_in(bootstrap: str, topic: str) -> int:
    """How many records a catalogue topic holds (its partitions' end offsets added up)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(_partitions(topic))
        return sum(ends.values())
    finally:
        await consumer.stop()
