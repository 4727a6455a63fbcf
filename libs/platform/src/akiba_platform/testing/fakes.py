"""In-memory outbox, inbox and idempotency keys for unit tests, held to the real ones' suites."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from akiba_contracts.envelope import serialised
from akiba_platform.idempotency import Answer, Claim, Stored
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

    async def pending(self, limit: int, excluding: Sequence[int] = ()) -> list[PendingMessage]:
        """Committed messages, oldest first, but for those excluded."""
        left_out = set(excluding)
        ids = [i for i in sorted(self._committed) if i not in left_out]
        return [self._committed[i] for i in ids[:limit]]

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

    async def reclaim(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """Claim again the dead-lettered ids; return them."""
        again = {i for i in event_ids if self.seen.get((consumer, i))}
        for i in again:
            self.seen[(consumer, i)] = False
        return again


class FakeIdempotencyStore:
    """Idempotency keys in memory; a claim stays staged until `commit`, like a transaction's."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, bytes], tuple[Stored, float]] = {}
        self._staged: dict[tuple[str, bytes], tuple[Stored, float]] = {}

    async def find(self, scope: str, key_hash: bytes) -> Stored | None:
        """The committed row, if any."""
        found = self.rows.get((scope, key_hash))
        return None if found is None else found[0]

    async def claim(self, claim: Claim) -> bool:
        """Stage the key unless it exists (committed or staged)."""
        at = (claim.scope, claim.key_hash)
        if at in self.rows or at in self._staged:
            return False
        self._staged[at] = (Stored(claim.fingerprint, None), time.time())
        return True

    def commit(self) -> None:
        """End the fake transaction: staged claims become rows."""
        self.rows.update(self._staged)
        self._staged.clear()

    def rollback(self) -> None:
        """Drop staged claims."""
        self._staged.clear()

    async def keep(self, claim: Claim, answer: Answer) -> None:
        """Answer the claimed row of the same request, or add an answered row."""
        at = (claim.scope, claim.key_hash)
        found = self.rows.get(at)
        if found is None:
            self.rows[at] = (Stored(claim.fingerprint, answer), time.time())
        elif found[0].answer is None and found[0].fingerprint == claim.fingerprint:
            self.rows[at] = (Stored(claim.fingerprint, answer), found[1])

    async def purge(self, older_than: timedelta) -> int:
        """Drop rows created before now minus `older_than`."""
        before = time.time() - older_than.total_seconds()
        old = [at for at, (_, created) in self.rows.items() if created < before]
        for at in old:
            del self.rows[at]
        return len(old)

    def age(self, by: timedelta) -> None:
        """Make every row older (for expiry tests)."""
        self.rows = {at: (s, c - by.total_seconds()) for at, (s, c) in self.rows.items()}
