"""In-memory outbox and inbox for unit tests, held to the real ones' behaviour suite."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from uuid import UUID

from akiba_contracts.envelope import serialised
from akiba_platform.outbox import OutboxMessage, PendingMessage


class FakeOutbox:
    """Outbox semantics without a database: `put` is visible once `commit` is called."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._staged: list[PendingMessage] = []
        self._committed: dict[int, PendingMessage] = {}

    async def put(self, messages: Sequence[OutboxMessage]) -> None:
        """Stage messages in the current (fake) transaction."""
        for m in messages:
            e = m.event
            self._staged.append(
                PendingMessage(
                    next(self._ids),
                    m.topic,
                    m.key,
                    UUID(e.id),
                    e.type,
                    e.traceparent,
                    serialised(e),
                )
            )

    def commit(self) -> None:
        """End the fake transaction, making staged messages visible."""
        self._committed.update({m.id: m for m in self._staged})
        self._staged.clear()

    def rollback(self) -> None:
        """Drop what the fake transaction staged."""
        self._staged.clear()

    async def pending(self, limit: int) -> list[PendingMessage]:
        """Committed messages, oldest first."""
        return [self._committed[i] for i in sorted(self._committed)[:limit]]

    async def mark_published(self, ids: Sequence[int]) -> None:
        """Forget published messages."""
        for i in ids:
            self._committed.pop(i, None)


class FakeInbox:
    """Inbox semantics without a database."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, UUID], bool] = {}

    async def claim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """Record ids; return those this consumer had not seen."""
        new = set()
        for i in event_ids:
            if (consumer, i) not in self.seen:
                self.seen[(consumer, i)] = False
                new.add(i)
        return new

    async def dead_letter(self, consumer: str, event_id: UUID) -> None:
        """Mark the event dead-lettered."""
        self.seen[(consumer, event_id)] = True
