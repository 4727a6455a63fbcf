"""Forwards pending events in each store's order, in bounded batches, several stores at once.

Durable state is the only state: after a crash the forwarder starts again from whatever is
still pending (anything pushed but not answered is resent; central skips duplicates by store
sequence). Local writes never wait for it: they only append to the outbox. While the link is
down it backs off with jitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from akiba_contracts.sync import PushResponse
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
    """Moves the outbox to central through an Uplink, several stores at once.

    A round reads the oldest pending events (at most `lanes` batches' worth, so memory stays
    bounded whatever the backlog) and pushes them in lanes, one per store: a store's batches
    go one after another, in its order, while up to `lanes` stores push at the same time. A
    batch's outcome is written while the next batch of its store is on the wire; a crash in
    between only means that batch is sent again, and central skips what it already has.
    """

    def __init__(
        self,
        db: Database,
        uplink: Uplink,
        backoff: Backoff,
        *,
        batch_size: int,
        idle_seconds: float,
        lanes: int = 1,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db, self._uplink, self._backoff = db, uplink, backoff
        self._batch, self._idle, self._clock = batch_size, idle_seconds, clock
        self._lanes = asyncio.Semaphore(lanes)
        self._round = batch_size * lanes

    async def forward_once(self) -> int:
        """Push one round of the oldest pending events; how many were settled (0: none pending).

        Raises LinkDown (after writing what the other lanes settled) if a lane failed.
        """
        pending = await self._db.read(lambda c: outbox.pending(c, 0, self._round))
        if not pending:
            return 0
        by_store: dict[str, list[outbox.Pending]] = {}
        for p in pending:
            by_store.setdefault(p.store_id, []).append(p)
        outcomes = await asyncio.gather(
            *(self._lane(events) for events in by_store.values()), return_exceptions=True
        )
        # httpx's requests and responses hold each other in reference cycles, and with them
        # every pushed body; with the young-generation threshold the services run with
        # (runtime.tune_gc) they piled up by the hundred megabytes during a catch-up.
        gc.collect(1)
        settled = 0
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
            settled += outcome
        return settled

    async def _lane(self, events: list[outbox.Pending]) -> int:
        """One store's events, batch after batch; the outcomes written before returning."""
        writes: list[asyncio.Future[None]] = []
        settled = 0
        try:
            async with self._lanes:
                for start in range(0, len(events), self._batch):
                    batch = events[start : start + self._batch]
                    answer = await self._uplink.push([p.body for p in batch])
                    writes.append(asyncio.ensure_future(self._settle(batch, answer)))
                    settled += len(answer.accepted) + len(answer.refused)
                    if not answer.accepted and not answer.refused:
                        raise NoProgress(f"the hub settled none of {len(batch)} events")
        finally:
            await asyncio.gather(*writes)
        return settled

    async def _settle(self, batch: list[outbox.Pending], answer: PushResponse) -> None:
        await self._db.write(lambda c: outbox.settle(c, batch, answer, self._clock()))
        metrics.FORWARDED.inc(len(answer.accepted))
        metrics.REFUSED.inc(len(answer.refused))

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
