"""The outbox relay: publishes committed outbox rows with an idempotent producer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from akiba_platform import kafka, metrics
from akiba_platform.db import open_pool
from akiba_platform.errors import is_transient
from akiba_platform.faults import crash_point
from akiba_platform.kafka import Record, send_batched
from akiba_platform.outbox import AsyncpgOutbox, PendingMessage
from akiba_platform.runtime import Role
from akiba_platform.settings import ServiceSettings
from akiba_platform.telemetry import tracer

log = logging.getLogger(__name__)

# One active relay per database keeps commit order per key; others wait as hot standbys.
LEADER_LOCK = 0x52454C41


def _headers(m: PendingMessage) -> list[tuple[str, bytes]]:
    h = [
        ("content-type", b"application/cloudevents+json"),
        ("ce_id", str(m.event_id).encode()),
        ("ce_type", m.event_type.encode()),
    ]
    if m.traceparent:
        h.append(("traceparent", m.traceparent.encode()))
    return h


class OutboxRelay:
    """Moves outbox rows to Kafka in id order, deleting them once the broker has them all."""

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        idle_seconds: float = 0.05,
        new_producer: Callable[[], AIOKafkaProducer] | None = None,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._given = producer
        self._new_producer = new_producer
        self._retired = False
        self._batch_size = batch_size
        self._idle = idle_seconds
        self._backlog_checked = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set; survive database and broker outages."""
        try:
            while not stop.is_set():
                try:
                    await self._ensure_producer()
                    await self._lead(stop)
                except Exception as exc:
                    if self._replaceable(exc):
                        await self._retire_producer(exc)
                    elif not is_transient(exc):
                        raise
                    log.warning("relay interrupted, retrying", extra={"error": repr(exc)})
                    await _sleep_or_stop(stop, 1.0)
        finally:
            if self._producer is not self._given:
                await self._producer.stop()

    def _replaceable(self, exc: Exception) -> bool:
        # After a broker restart an idempotent producer can stay out of sequence for good
        # (OutOfOrderSequenceNumber on every send): a fatal producer error, not a transient one.
        return (
            isinstance(exc, KafkaError) and not is_transient(exc) and self._new_producer is not None
        )

    async def _retire_producer(self, exc: Exception) -> None:
        """Stop the failed producer; the next attempt starts a new one with a new producer id.

        It is stopped before any new send: a send it still held must not land after the new
        producer's copy of a later row (a compacted topic would keep the stale value). The rows
        it did not confirm are still in the outbox and go again; consumers' inboxes dedupe.
        """
        log.warning("producer failed, replacing it", extra={"error": repr(exc)})
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._producer.stop(), 30)
        self._retired = True

    async def _ensure_producer(self) -> None:
        if not self._retired or self._new_producer is None:
            return
        fresh = self._new_producer()
        try:
            await fresh.start()  # fails while the broker is still away: retried by run()
        except BaseException:
            with contextlib.suppress(Exception):
                await fresh.stop()
            raise
        self._producer, self._retired = fresh, False

    async def _lead(self, stop: asyncio.Event) -> None:
        async with self._pool.acquire() as conn:
            while not await conn.fetchval("select pg_try_advisory_lock($1)", LEADER_LOCK):
                if await _sleep_or_stop(stop, 1.0):
                    return
            # Standbys wait silently; the one that leads says so (which replica publishes).
            log.info("relay leading", extra={"lock": LEADER_LOCK})
            try:
                await self._pump(AsyncpgOutbox(conn), stop)
            finally:
                try:
                    await conn.execute("select pg_advisory_unlock($1)", LEADER_LOCK)
                except BaseException:
                    # Pooled connections are not reset on release: one still holding the
                    # lock would keep every other instance from leading. Closed instead.
                    conn.terminate()
                    raise

    async def _pump(self, outbox: AsyncpgOutbox, stop: asyncio.Event) -> None:
        """Publish batch after batch, reading and sending the next while the broker confirms
        the one before: the wait for its acknowledgements (every replica's write) overlaps
        the next batch's read and encoding, which nearly doubled the relay's rate. Batches
        are confirmed and deleted in the order they were sent."""
        in_flight: _Sent | None = None
        try:
            while not stop.is_set():
                sent = await self._send(outbox, in_flight.ids if in_flight else ())
                if in_flight is not None:
                    await self._confirm(outbox, in_flight)
                in_flight = sent
                if sent is None or len(sent.ids) < self._batch_size:  # drained for now
                    if sent is not None:
                        await self._confirm(outbox, sent)
                    in_flight = None
                    await _sleep_or_stop(stop, self._idle)
            if in_flight is not None:
                await self._confirm(outbox, in_flight)
        except BaseException:
            # Its rows stay in the outbox and go again; only its outcome is no longer wanted.
            if in_flight is not None:
                in_flight.acked.add_done_callback(_retrieved)
            raise

    async def _send(self, outbox: AsyncpgOutbox, in_flight: Sequence[int]) -> _Sent | None:
        """Read the next batch (leaving out the rows in flight) and hand it to the producer."""
        pending = await outbox.pending(self._batch_size, in_flight)
        await self._observe_backlog(outbox)
        if not pending:
            return None
        with tracer.start_as_current_span(
            "outbox.publish", attributes={"messaging.batch.message_count": len(pending)}
        ):
            records = (Record(m.topic, m.key.encode(), m.value, _headers(m)) for m in pending)
            futures = await send_batched(self._producer, records)
        return _Sent([m.id for m in pending], asyncio.gather(*futures))

    async def _confirm(self, outbox: AsyncpgOutbox, sent: _Sent) -> None:
        """Wait until the broker has the whole batch, then delete its rows."""
        await sent.acked
        # A crash here republishes the batch; consumers' inboxes make that harmless.
        crash_point("relay-after-publish")
        await outbox.mark_published(sent.ids)
        metrics.published.add(len(sent.ids))

    async def _observe_backlog(self, outbox: AsyncpgOutbox) -> None:
        now = time.monotonic()
        if now - self._backlog_checked > 5:
            self._backlog_checked = now
            metrics.outbox_backlog.set(await outbox.backlog())
            metrics.outbox_oldest.set(await outbox.oldest_age())


@dataclass(frozen=True)
class _Sent:
    """A batch handed to the producer: its rows' ids and the broker's acknowledgement."""

    ids: list[int]
    acked: asyncio.Future[list[Any]]


def _retrieved(acked: asyncio.Future[list[Any]]) -> None:
    """Take an abandoned batch's outcome, so a failure is not reported as never retrieved."""
    if not acked.cancelled():
        acked.exception()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds`; True when stopping."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


def relay_role(settings: ServiceSettings) -> Role:
    """The relay role every service with an outbox runs: its pool, a producer, its batch size."""

    async def run(stop: asyncio.Event) -> None:
        bootstrap = settings.kafka_bootstrap_servers
        async with open_pool(settings) as pool:
            producer = kafka.producer(bootstrap)
            await producer.start()
            try:
                relay = OutboxRelay(
                    pool,
                    producer,
                    batch_size=settings.relay_batch_size,
                    idle_seconds=settings.relay_idle_seconds,
                    new_producer=lambda: kafka.producer(bootstrap),
                )
                await relay.run(stop)
            finally:
                await producer.stop()

    return run
