"""The sync loops' rounds (push, pull, credentials), kept going whatever a round raises.

A failed round is logged, counted, written to the sync status (the error, and the loop as
failing since its first failure in a row), then the loop backs off (exponential, full jitter)
and tries again: only a stop ends it. So a captive portal's HTML, a 413, a locked database or
a bug never ends the process, and with it the site's local API, which shares it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime

from akiba_sync_gateway import metrics
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.sync import health
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.link import LinkDown, PushTooLarge, UnreadableAnswer

log = logging.getLogger(__name__)
Round = Callable[[], Awaitable[float]]  # one round; returns how long to wait before the next


def classify(exc: Exception) -> tuple[str, str]:
    """What kind of failure this is, and a message for the status."""
    if isinstance(exc, PushTooLarge):
        return "too_large", str(exc)
    if isinstance(exc, UnreadableAnswer):
        return "unreadable", str(exc)
    if isinstance(exc, LinkDown):
        return "link", str(exc)
    if isinstance(exc, sqlite3.Error):
        return "database", f"{type(exc).__name__}: {exc}"
    return "unexpected", f"{type(exc).__name__}: {exc} (traceback in the log)"


def delay_after(exc: Exception, backoff: Backoff) -> float:
    """How long to wait after a failed round: the backoff's draw, or longer if central asked
    (a busy hub's 503 Retry-After), so a site never comes back sooner than it was told."""
    asked = exc.retry_after if isinstance(exc, LinkDown) else None
    drawn = backoff.next_delay()
    return drawn if asked is None else max(asked, drawn)


class Loop:
    """Runs one loop's rounds until stopped; a failed round backs off, then the next one runs."""

    def __init__(
        self, name: str, db: Database, backoff: Backoff, clock: Callable[[], datetime]
    ) -> None:
        self.name, self._db, self._backoff, self._clock = name, db, backoff, clock
        # Unknown at start (a previous process may have left it failing): the first round
        # that succeeds clears it.
        self._failing = True

    async def run(self, stop: asyncio.Event, round_: Round) -> None:
        """Round after round until `stop` is set."""
        while not stop.is_set():
            try:
                pause = await round_()
            except Exception as exc:  # every failure: the loop must outlive it
                await self._failed(exc)
                await wait(stop, delay_after(exc, self._backoff))
                continue
            self._backoff.reset()
            if self._failing:
                await self._recovered()
            await wait(stop, pause)

    async def _failed(self, exc: Exception) -> None:
        self._failing = True
        kind, message = classify(exc)
        if kind in ("database", "unexpected"):
            log.error("%s round failed (%s)", self.name, kind, exc_info=exc)
        else:
            log.warning("%s failed: %s", self.name, message)
            metrics.LINK_ERRORS.labels(self.name).inc()
        metrics.LOOP_FAILURES.labels(self.name, kind).inc()
        metrics.LOOP_FAILING.labels(self.name).set(1)
        now = self._clock()
        await self._record(lambda c: health.loop_failed(c, self.name, kind, message, now))

    async def _recovered(self) -> None:
        if await self._record(lambda c: health.loop_recovered(c, self.name)):
            self._failing = False
            metrics.LOOP_FAILING.labels(self.name).set(0)

    async def _record(self, write: Callable[[sqlite3.Connection], None]) -> bool:
        """Write to the status; if the database itself fails, the log is all there is."""
        try:
            await self._db.write(write)
        except Exception:
            log.exception("could not record the %s loop's state", self.name)
            return False
        return True


async def wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
