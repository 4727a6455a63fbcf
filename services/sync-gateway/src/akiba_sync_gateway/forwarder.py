"""Forwards pending events in recording order, a bounded batch at a time, backing off while down.

Durable state is the only state: after a crash the forwarder starts again from whatever is
still pending (anything pushed but not answered is resent; central skips duplicates by store
sequence). Local writes never wait for it: they only append to the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from akiba_sync_gateway import metrics, outbox
from akiba_sync_gateway.backoff import Backoff
from akiba_sync_gateway.db import Database
from akiba_sync_gateway.link import LinkDown, Uplink

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


class NoProgress(LinkDown):
    """The hub answered, but settled none of the events it was sent."""


class Forwarder:
    """Moves the outbox to central through an Uplink."""

    def __init__(
        self,
        db: Database,
        uplink: Uplink,
        backoff: Backoff,
        *,
        batch_size: int,
        idle_seconds: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db, self._uplink, self._backoff = db, uplink, backoff
        self._batch, self._idle, self._clock = batch_size, idle_seconds, clock

    async def forward_once(self) -> int:
        """Push the oldest pending batch; return how many events it settled (0: none pending)."""
        batch = await self._db.read(lambda c: outbox.pending(c, 0, self._batch))
        if not batch:
            return 0
        answer = await self._uplink.push([p.body for p in batch])
        await self._db.write(lambda c: outbox.settle(c, batch, answer, self._clock()))
        settled = len(answer.accepted) + len(answer.refused)
        metrics.FORWARDED.inc(len(answer.accepted))
        metrics.REFUSED.inc(len(answer.refused))
        if settled == 0:
            raise NoProgress(f"the hub settled none of {len(batch)} events")
        return settled

    async def run(self, stop: asyncio.Event) -> None:
        """Forward until stopped: straight on while there is a backlog, idle-polling when not."""
        while not stop.is_set():
            try:
                settled = await self.forward_once()
            except LinkDown as exc:
                await self._failed(exc)
                await _wait(stop, self._backoff.next_delay())
                continue
            self._backoff.reset()
            if settled == 0:
                await _wait(stop, self._idle)

    async def _failed(self, exc: Exception) -> None:
        log.warning("push failed: %s", exc)
        metrics.LINK_ERRORS.labels("push").inc()
        await self._db.write(lambda c: outbox.record_error(c, "push", str(exc), self._clock()))


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
