"""The inbox: which events a consumer has applied, written in the effect's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from akiba_platform.db import Connection


class Inbox(Protocol):
    """Remembers applied events so a redelivery changes nothing."""

    async def claim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """Record the ids in the current transaction; return those not seen before."""
        ...

    async def dead_letter(self, consumer: str, event_id: UUID) -> None:
        """Record that an event went to the dead-letter topic, so it is not retried."""
        ...

    async def reclaim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """Claim again the ids this consumer dead-lettered (an operator's replay); return them."""
        ...


class AsyncpgInbox:
    """The inbox table, used through the caller's connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def claim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """Insert what is new in one statement; duplicates come back absent."""
        rows = await self._conn.fetch(
            "insert into inbox (consumer, event_id) select $1, unnest($2::uuid[])"
            " on conflict do nothing returning event_id",
            consumer,
            list(event_ids),
        )
        return {r["event_id"] for r in rows}

    async def dead_letter(self, consumer: str, event_id: UUID) -> None:
        """Mark the event as handled by dead-lettering it."""
        await self._conn.execute(
            "insert into inbox (consumer, event_id, dead_letter) values ($1, $2, true)"
            " on conflict (consumer, event_id) do update set dead_letter = true",
            consumer,
            event_id,
        )

    async def reclaim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """Turn dead-lettered rows into applied ones; a second replay finds none to turn."""
        rows = await self._conn.fetch(
            "update inbox set dead_letter = false, processed_at = clock_timestamp()"
            " where consumer = $1 and event_id = any($2::uuid[]) and dead_letter"
            " returning event_id",
            consumer,
            list(event_ids),
        )
        return {r["event_id"] for r in rows}
