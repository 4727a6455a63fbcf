"""The consumer loop: inbox and effect in one transaction, offsets committed after it."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import IllegalStateError, KafkaError
from aiokafka.structs import ConsumerRecord
from asyncpg.pgproto.pgproto import UUID as _FastUUID
from opentelemetry import trace

from akiba_contracts.envelope import CloudEvent, decode
from akiba_platform import kafka, metrics
from akiba_platform.db import Connection, open_pool
from akiba_platform.dead_letters import DeadLetter, is_replay, send_dead_letters
from akiba_platform.errors import is_transient
from akiba_platform.faults import crash_point
from akiba_platform.inbox import AsyncpgInbox
from akiba_platform.runtime import Role
from akiba_platform.settings import ServiceSettings
from akiba_platform.telemetry import context_from, spans_exported, tracer

log = logging.getLogger(__name__)

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


@dataclass(frozen=True)
class Delivery:
    """One decoded event, where it came from, and the id the inbox keys on."""

    event: CloudEvent
    record: Record
    event_id: UUID


@dataclass(frozen=True)
class Rejected:
    """A delivery a handler refused for good while applying the rest of its batch."""

    delivery: Delivery
    reason: str


# A handler applies a batch; what it returns as rejected is dead-lettered in the same
# transaction, while its other effects (e.g. a record of the rejection) are kept.
BatchHandler = Callable[[Connection, Sequence[Delivery]], Awaitable[Sequence[Rejected] | None]]


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    """Revocation waits for the batch in flight; assignment resumes where the database says."""

    def __init__(self, loop: ConsumerLoop) -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: Any) -> None:
        async with self._loop._lock:
            await self._loop._offsets_committed()
            self._loop._lag_handed_over(list(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._loop._resume(list(assigned))


_POSITIONS = """
select topic, partition, next_offset from consumer_positions
 where consumer = $1 and (topic, partition) in (select * from unnest($2::text[], $3::int[]))
"""

_ADVANCE = """
insert into consumer_positions as p (consumer, topic, partition, next_offset)
select $1, * from unnest($2::text[], $3::int[], $4::bigint[])
on conflict (consumer, topic, partition) do update
   set next_offset = greatest(p.next_offset, excluded.next_offset), updated_at = now()
"""


class ConsumerLoop:
    """Applies events from topics through a batch handler, exactly once in effect."""

    def __init__(
        self,
        *,
        name: str,
        consumer: AIOKafkaConsumer,
        topics: Sequence[str],
        pool: asyncpg.Pool[Any],
        handler: BatchHandler,
        dlq_producer: AIOKafkaProducer,
        max_backoff: float = 5.0,
        envelope: type[CloudEvent] = CloudEvent,
    ) -> None:
        self.name = name
        self._consumer = consumer
        self._topics = list(topics)
        self._pool = pool
        self._handler = handler
        self._dlq = dlq_producer
        self._max_backoff = max_backoff
        self._envelope = envelope
        self._lock = asyncio.Lock()
        self._uncommitted: dict[TopicPartition, int] = {}
        self._committing: asyncio.Task[None] | None = None

    async def run(self, stop: asyncio.Event, *, batch_size: int = 500) -> None:
        """Consume until `stop` is set, then leave the group cleanly."""
        self._consumer.subscribe(self._topics, listener=_Rebalance(self))
        while not stop.is_set():
            batches = await self._consumer.getmany(timeout_ms=200, max_records=batch_size)
            if not batches:
                continue
            async with self._lock:
                await self._apply_and_commit(batches, stop)
        await self._offsets_committed()
        self._lag_handed_over(list(self._consumer.assignment()))

    async def _apply_and_commit(
        self, batches: dict[TopicPartition, list[Record]], stop: asyncio.Event
    ) -> None:
        # One transaction for the whole poll: partitions are independent and each keeps its own
        # order inside the list, and a transaction per partition made batches a dozen times
        # smaller than the poll.
        records = [r for part in batches.values() for r in part]
        # Each partition's records come in offset order: its last one says where it ends.
        offsets = {tp: part[-1].offset + 1 for tp, part in batches.items() if part}
        if not await self._with_retries(records, offsets, stop):
            return  # stopping mid-retry: nothing committed, the next owner redoes it
        for tp, part in batches.items():
            self._record_lag(tp, part[-1].offset)
        crash_point("consumer-after-db-commit")
        self._commit_in_background(offsets)

    def _commit_in_background(self, offsets: dict[TopicPartition, int]) -> None:
        """Hand the offsets to Kafka without holding up the next batch.

        The database's positions, committed with the effects, are what a new owner resumes
        from; Kafka's committed offsets only have to follow (lag metrics, a database restored
        without positions), so the newest offsets are committed one request at a time.
        """
        self._uncommitted.update(offsets)
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit_uncommitted())

    async def _commit_uncommitted(self) -> None:
        while self._uncommitted:
            offsets, self._uncommitted = self._uncommitted, {}
            try:
                await self._consumer.commit(offsets)
            except (KafkaError, IllegalStateError) as exc:
                # The partitions moved in a rebalance (the new owner's inbox skips our work), or
                # the broker is away: the next batch commits newer offsets.
                log.warning(
                    "offset commit refused", extra={"consumer": self.name, "error": str(exc)}
                )

    async def _offsets_committed(self) -> None:
        """Wait for the background commit, if any (before leaving or giving partitions up)."""
        if self._committing is not None:
            await self._committing

    async def _with_retries(
        self, records: list[Record], ends: dict[TopicPartition, int], stop: asyncio.Event
    ) -> bool:
        delay = 0.1
        while True:
            try:
                await self._apply(records, ends)
                return True
            except Exception as exc:
                if not is_transient(exc):
                    raise
                log.warning(
                    "transient failure, retrying", extra={"consumer": self.name, "error": repr(exc)}
                )
            if stop.is_set():
                return False
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, self._max_backoff)

    async def _apply(self, records: list[Record], ends: dict[TopicPartition, int]) -> None:
        deliveries, dead = _decode(records, self._envelope)
        async with self._pool.acquire() as conn, conn.transaction():
            inbox = AsyncpgInbox(conn)
            # Keyed by the id's 128-bit integer: a UUID's own hash is a Python call, an int's
            # is not (the same id may also be spelt differently, so not by its text).
            unique = list({d.event_id.int: d for d in reversed(deliveries)}.values())[::-1]
            fresh_ids = await inbox.claim(self.name, [d.event_id for d in unique])
            fresh_ints = {i.int for i in fresh_ids}
            fresh_ints |= await _replayed(inbox, self.name, unique, fresh_ints)
            fresh = [d for d in unique if d.event_id.int in fresh_ints]
            metrics.duplicates.add(len(deliveries) - len(fresh), {"consumer": self.name})
            dead += await self._handle(conn, fresh)
            for d in dead:
                if d.event_id is not None:
                    await inbox.dead_letter(self.name, d.event_id)
            await self._advance(conn, ends)
            # Dead letters are published before the commit: a crash in between repeats them
            # (at least once), whereas the other order could lose them.
            await send_dead_letters(self._dlq, self.name, dead)
        metrics.consumed.add(len(fresh) - len(dead), {"consumer": self.name})

    async def _handle(self, conn: Connection, fresh: list[Delivery]) -> list[DeadLetter]:
        if not fresh:
            return []
        with _spans(self.name, fresh):
            try:
                async with conn.transaction():
                    return _refused(await self._handler(conn, fresh))
            except Exception as exc:
                if is_transient(exc) or len(fresh) == 1:
                    return _dead_or_raise(exc, fresh)
            return await self._one_by_one(conn, fresh)

    async def _one_by_one(self, conn: Connection, fresh: list[Delivery]) -> list[DeadLetter]:
        """Find the poison in a failed batch: each event in a savepoint of its own."""
        dead: list[DeadLetter] = []
        for d in fresh:
            try:
                async with conn.transaction():
                    dead += _refused(await self._handler(conn, [d]))
            except Exception as exc:
                dead += _dead_or_raise(exc, [d])
        return dead

    async def _resume(self, assigned: list[TopicPartition]) -> None:
        """Seek each assigned partition to the position this database recorded, if it has one.

        Without one (a database that never read the partition) the group's committed offset
        applies, else the start of the topic.
        """
        if not assigned:
            return
        rows = await self._pool.fetch(
            _POSITIONS, self.name, [tp.topic for tp in assigned], [tp.partition for tp in assigned]
        )
        for r in rows:
            self._consumer.seek(TopicPartition(r["topic"], r["partition"]), r["next_offset"])

    async def _advance(self, conn: Connection, ends: dict[TopicPartition, int]) -> None:
        """Record, with the effects, the next offset of every partition in the batch."""
        await conn.execute(
            _ADVANCE,
            self.name,
            [tp.topic for tp in ends],
            [tp.partition for tp in ends],
            list(ends.values()),
        )

    @property
    def consumer(self) -> AIOKafkaConsumer:
        """The group member this loop polls (to see its assignment, e.g. in benchmarks)."""
        return self._consumer

    def _lag_handed_over(self, revoked: list[TopicPartition]) -> None:
        """Report no lag for partitions another member now applies.

        A gauge keeps its last value: without this, a partition that moved to another
        instance would be counted twice in the lag summed per consumer, and a stale value
        left by a member during a burst would look like a stalled consumer on a quiet night.
        """
        for tp in revoked:
            metrics.consumer_lag.set(
                0, {"consumer": self.name, "topic": tp.topic, "partition": tp.partition}
            )

    def _record_lag(self, tp: TopicPartition, last: int) -> None:
        if tp not in self._consumer.assignment():
            return  # moved to another member while the batch applied: its lag is theirs now
        end = self._consumer.highwater(tp)
        if end is not None:
            lag = max(0, end - last - 1)
            metrics.consumer_lag.set(
                lag, {"consumer": self.name, "topic": tp.topic, "partition": tp.partition}
            )


async def _replayed(
    inbox: AsyncpgInbox, consumer: str, deliveries: list[Delivery], fresh: set[int]
) -> set[int]:
    """The replays of events this consumer dead-lettered (as ids' integers): they apply once
    more."""
    again = [d.event_id for d in deliveries if d.event_id.int not in fresh and is_replay(d.record)]
    return {i.int for i in await inbox.reclaim(consumer, again)} if again else set()


def _refused(rejected: Sequence[Rejected] | None) -> list[DeadLetter]:
    return [DeadLetter(r.delivery.record, r.reason, r.delivery.event_id) for r in rejected or ()]


def _dead_or_raise(exc: Exception, deliveries: list[Delivery]) -> list[DeadLetter]:
    if is_transient(exc):
        raise exc
    return [DeadLetter(d.record, f"{type(exc).__name__}: {exc}", d.event_id) for d in deliveries]


def _decode(
    records: list[Record], envelope: type[CloudEvent]
) -> tuple[list[Delivery], list[DeadLetter]]:
    good: list[Delivery] = []
    bad: list[DeadLetter] = []
    for r in records:
        try:
            event = decode(r.value or b"", envelope)
            good.append(Delivery(event, r, _event_uuid(event.id)))
        except ValueError as exc:
            bad.append(DeadLetter(r, f"InvalidEnvelope: {exc}", None))
    return good, bad


def _event_uuid(text: str) -> UUID:
    """The event id as a UUID: asyncpg's C parser (a uuid.UUID subclass, equal and hashing
    alike) takes the usual spellings at an eighth of uuid.UUID's cost; the rest (braces,
    urn:uuid:) go to uuid.UUID, which also says what is wrong with a bad one."""
    try:
        return _FastUUID(text)
    except ValueError:
        return UUID(text)


class _spans:
    """One span per applied event, a child of the span that recorded it."""

    def __init__(self, consumer: str, deliveries: list[Delivery]) -> None:
        self._consumer = consumer
        self._deliveries = deliveries
        self._spans: list[trace.Span] = []

    def __enter__(self) -> None:
        # Only events that carry a trace get a span, and only when spans are exported: bulk and
        # edge traffic pays nothing, nor does a process whose spans would be dropped (about
        # half the consumer's CPU per event when every event carries a trace).
        if not spans_exported():
            return
        for d in self._deliveries:
            if not d.event.traceparent:
                continue
            span = tracer.start_span(
                f"apply {d.event.type}",
                context=context_from(d.event.traceparent),
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.consumer.group.name": self._consumer,
                    "messaging.destination.name": d.record.topic,
                    "messaging.message.id": d.event.id,
                },
            )
            self._spans.append(span)

    def __exit__(self, *exc: object) -> None:
        for span in self._spans:
            span.end()


@asynccontextmanager
async def consumer_loop(
    bootstrap: str,
    *,
    name: str,
    topics: Sequence[str],
    pool: asyncpg.Pool[Any],
    handler: BatchHandler,
    dlq_producer: AIOKafkaProducer,
    group: str | None = None,
    envelope: type[CloudEvent] = CloudEvent,
) -> AsyncIterator[ConsumerLoop]:
    """A ConsumerLoop on its own group member (group = name unless given), stopped on exit."""
    member = kafka.consumer(bootstrap, group or name)
    await member.start()
    try:
        yield ConsumerLoop(
            name=name,
            consumer=member,
            topics=topics,
            pool=pool,
            handler=handler,
            dlq_producer=dlq_producer,
            envelope=envelope,
        )
    finally:
        await member.stop()


def consumer_role(
    settings: ServiceSettings,
    name: str,
    topics: Sequence[str],
    handler: BatchHandler,
    *,
    batch_size: int | None = None,
    envelope: type[CloudEvent] = CloudEvent,
) -> Role:
    """A role that applies `topics` through `handler` until stopped: its pool, a dead-letter
    producer, and a group member named from the settings' prefix. `envelope` is the
    CloudEvent (sub)class records are decoded into (see `decode`)."""

    async def run(stop: asyncio.Event) -> None:
        bootstrap = settings.kafka_bootstrap_servers
        async with open_pool(settings) as pool:
            producer = kafka.producer(bootstrap)
            await producer.start()
            try:
                async with consumer_loop(
                    bootstrap,
                    name=name,
                    topics=list(topics),
                    pool=pool,
                    handler=handler,
                    dlq_producer=producer,
                    group=settings.consumer_group_prefix + name,
                    envelope=envelope,
                ) as loop:
                    await loop.run(stop, batch_size=batch_size or settings.consumer_batch_size)
            finally:
                await producer.stop()

    return run
