"""The transactional outbox: events written in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from akiba_contracts.envelope import CloudEvent, EncodedEvent, new_event, serialised
from akiba_contracts.payloads.base import Payload
from akiba_platform.db import Connection
from akiba_platform.telemetry import current_traceparent

# Below this many rows a plain INSERT beats starting a COPY.
_COPY_THRESHOLD = 16


@dataclass(frozen=True)
class OutboxMessage:
    """One event bound for one topic under one key."""

    topic: str
    key: str
    event: CloudEvent | EncodedEvent


def message_of(topic: str, source: str, subject: str, payload: Payload) -> OutboxMessage:
    """A payload as a CloudEvent for the topic, keyed (and partitioned) by its own key, carrying
    the running trace so the consumer's span joins the one that recorded it."""
    key = payload.partition_key()
    event = new_event(
        source=source,
        type=payload.event_type,
        subject=subject,
        data=payload,
        partitionkey=key,
        traceparent=current_traceparent(),
    )
    return OutboxMessage(topic, key, event)


@dataclass(frozen=True)
class PendingMessage:
    """An outbox row the relay may publish: its transaction and every older one have ended."""

    id: int
    topic: str
    key: str
    event_id: UUID
    event_type: str
    traceparent: str | None
    value: bytes


class Outbox(Protocol):
    """Where a unit of work puts its events and the relay takes them from."""

    async def put(self, messages: Sequence[OutboxMessage]) -> None:
        """Add messages in the current transaction."""
        ...

    async def pending(self, limit: int, excluding: Sequence[int] = ()) -> list[PendingMessage]:
        """Committed messages no running transaction can still precede, oldest first; those
        with the ids `excluding` (sent, not yet confirmed) left out."""
        ...

    async def mark_published(self, ids: Sequence[int]) -> None:
        """Forget messages the broker has acknowledged."""
        ...


_COLUMNS = ("topic", "key", "event_id", "event_type", "traceparent", "value")


def _row(m: OutboxMessage) -> tuple[Any, ...]:
    e = m.event
    return (m.topic, m.key, e.id, e.type, e.traceparent, serialised(e))  # asyncpg takes str uuids


# `not in` a subquery is a hashed lookup per row, whatever plan the statement gets.
_PENDING = """
select id, topic, key, event_id, event_type, traceparent, value from outbox
 where xid < pg_snapshot_xmin(pg_current_snapshot())
   and id not in (select unnest($2::bigint[]))
 order by id
 limit $1
"""


class AsyncpgOutbox:
    """The outbox table, used through the caller's connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def put(self, messages: Sequence[OutboxMessage]) -> None:
        """Add messages in the caller's transaction."""
        rows = [_row(m) for m in messages]
        if len(rows) >= _COPY_THRESHOLD:
            await self._conn.copy_records_to_table("outbox", records=rows, columns=_COLUMNS)
        elif rows:
            await self._conn.executemany(
                "insert into outbox (topic, key, event_id, event_type, traceparent, value)"
                " values ($1, $2, $3, $4, $5, $6)",
                rows,
            )

    async def pending(self, limit: int, excluding: Sequence[int] = ()) -> list[PendingMessage]:
        """Rows whose transaction is older than every running one, in id order."""
        # A row's id is taken before its transaction commits, so "ids above the last one"
        # would skip a slow transaction's rows. Reading only below the oldest running
        # transaction (xmin) means nothing not yet visible can ever come before what we read.
        # For the same reason rows in flight are left out by id, not by range: a slow
        # transaction's row between them is read with the rows after them, in id order.
        rows = await self._conn.fetch(_PENDING, limit, list(excluding))
        return [PendingMessage(**dict(r)) for r in rows]

    async def mark_published(self, ids: Sequence[int]) -> None:
        """Delete published rows: the topic is now the record of them."""
        await self._conn.execute("delete from outbox where id = any($1::bigint[])", list(ids))

    async def backlog(self, cap: int = 100_000) -> int:
        """How many rows wait, counted up to a cap so the query stays cheap."""
        n = await self._conn.fetchval("select count(*) from (select 1 from outbox limit $1) t", cap)
        return int(n)

    async def oldest_age(self) -> float:
        """Seconds the oldest waiting row has waited; 0 when none waits."""
        # The lowest id is the oldest row near enough, and the primary key finds it at once.
        age = await self._conn.fetchval(
            "select extract(epoch from clock_timestamp() - created_at)::float8"
            " from outbox order by id limit 1"
        )
        return max(0.0, float(age or 0.0))
