"""Forwards pending events in each store's order, in bounded batches, several stores at once.

Durable state is the only state: after a crash the forwarder starts again from whatever is
still pending (anything pushed but not answered is resent; central skips duplicates by store
sequence). Local writes never wait for it: they only append to the outbox. Whatever a round
raises, the loop backs off with jitter and tries again (`loops.py`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from akiba_contracts.sync import PushResponse
from akiba_sync_gateway import metrics
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.sync import health
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.link import LinkDown, PushTooLarge, Uplink
from akiba_sync_gateway.sync.loops import Loop

log = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 1_000_000  # under the 1 MiB many reverse proxies take by default
DEFAULT_BLOCKED_RETRY_SECONDS = 600.0


def utcnow() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


class NoProgress(LinkDown):
    """The hub answered, but settled none of the events it was sent."""


def push_size(events: list[outbox.Pending]) -> int:
    """Bytes of the JSON array a push of these events sends."""
    return 1 + sum(len(p.body) + 1 for p in events)


class Forwarder:
    """Moves the outbox to central through an Uplink, several stores at once.

    A round reads the oldest pending events (at most `lanes` batches' worth, so memory stays
    bounded whatever the backlog) and pushes them in lanes, one per store: a store's batches
    go one after another, in its order, while up to `lanes` stores push at the same time. A
    batch's outcome is written while the next batch of its store is on the wire; a crash in
    between only means that batch is sent again, and central skips what it already has.

    A batch holds at most `batch_size` events and `max_bytes` of body (one event larger than
    that goes alone). A 413 for a batch of several events halves the byte ceiling for the
    rest of the process's life and sends the batch again in smaller pieces; a 413 for one
    event blocks it: it stays pending, shown in the status with its size and the answer, and
    its store (which must keep its order) waits `blocked_retry_seconds` before trying it
    again while the other stores go on.
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
        max_bytes: int = DEFAULT_MAX_BYTES,
        blocked_retry_seconds: float = DEFAULT_BLOCKED_RETRY_SECONDS,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db, self._uplink, self._backoff = db, uplink, backoff
        self._batch, self._idle, self._clock = batch_size, idle_seconds, clock
        self._lanes = asyncio.Semaphore(lanes)
        self._round = batch_size * lanes
        self.max_bytes = max_bytes
        self._retry_blocked, self._monotonic = blocked_retry_seconds, monotonic
        self._held: dict[str, float] = {}  # store → when to try its blocked event again

    async def forward_once(self) -> int:
        """Push one round of the oldest pending events; how many were settled (0: none pending).

        Raises LinkDown (after writing what the other lanes settled) if a lane failed.
        """
        held = self._holding()
        pending = await self._db.read(lambda c: outbox.pending(c, 0, self._round, held))
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

    def _holding(self) -> frozenset[str]:
        """Stores whose blocked event is not due for another try yet."""
        now = self._monotonic()
        for store in [s for s, until in self._held.items() if until <= now]:
            del self._held[store]
        return frozenset(self._held)

    def _take(self, events: list[outbox.Pending], start: int) -> int:
        """Where the batch starting at `start` ends: within the count and the byte ceiling."""
        end, size, last = start, 1, min(len(events), start + self._batch)
        while end < last:
            size += len(events[end].body) + 1
            if size > self.max_bytes and end > start:
                break
            end += 1
        return end

    async def _lane(self, events: list[outbox.Pending]) -> int:
        """One store's events, batch after batch; the outcomes written before returning."""
        writes: list[asyncio.Future[None]] = []
        settled = start = 0
        try:
            async with self._lanes:
                while start < len(events):
                    batch = events[start : self._take(events, start)]
                    try:
                        answer = await self._uplink.push([p.body for p in batch])
                    except PushTooLarge as exc:
                        if len(batch) == 1:
                            await self._block(batch[0], exc)
                            break
                        self._shrink(push_size(batch), exc)
                        continue
                    start += len(batch)
                    writes.append(asyncio.ensure_future(self._settle(batch, answer)))
                    settled += len(answer.accepted) + len(answer.refused)
                    if not answer.accepted and not answer.refused:
                        raise NoProgress(f"the hub settled none of {len(batch)} events")
        finally:
            await asyncio.gather(*writes)
        return settled

    def _shrink(self, refused: int, exc: PushTooLarge) -> None:
        self.max_bytes = min(self.max_bytes, max(1, refused // 2))
        log.warning("push too large, pushes kept under %d bytes from now on: %s",
                    self.max_bytes, exc)  # fmt: skip

    async def _block(self, p: outbox.Pending, exc: PushTooLarge) -> None:
        self._held[p.store_id] = self._monotonic() + self._retry_blocked
        message = (
            f"event {p.event_id} (store {p.store_id}, sequence {p.first_sequence}) is"
            f" {len(p.body)} bytes, more than central takes in one push ({exc}); it stays"
            " pending and holds the store's later events back until that limit is raised"
            f" (tried again every {self._retry_blocked:g} s)"
        )
        log.error("event blocked: %s", message)
        await self._db.write(lambda c: health.block(c, p, message, self._clock()))

    async def _settle(self, batch: list[outbox.Pending], answer: PushResponse) -> None:
        await self._db.write(lambda c: outbox.settle(c, batch, answer, self._clock()))
        metrics.FORWARDED.inc(len(answer.accepted))
        metrics.REFUSED.inc(len(answer.refused))

    async def run(self, stop: asyncio.Event) -> None:
        """Forward until stopped: straight on while there is a backlog, idle-polling when not."""
        await Loop("push", self._db, self._backoff, self._clock).run(stop, self._round_once)

    async def _round_once(self) -> float:
        return 0.0 if await self.forward_once() else self._idle
