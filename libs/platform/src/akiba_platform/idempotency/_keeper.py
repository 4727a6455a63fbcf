"""What an app keeps keys with (`app.state.idempotency`), and the periodic purge."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from akiba_platform.idempotency._claim import Claim
from akiba_platform.idempotency._store import Answer, IdempotencyStore

log = logging.getLogger(__name__)


class IdempotencySettings(Protocol):
    """The settings fields both kinds of service (central and gateway) declare."""

    idempotency_retention_hours: float
    idempotency_purge_every_seconds: float
    idempotency_wait_seconds: float


@dataclass
class Keeper:
    """The store, how long a retry waits for a first request still in flight, and whether
    answers are stored in the background (the request answered without waiting for it)."""

    store: IdempotencyStore
    wait_seconds: float = 5.0
    background: bool = False
    _storing: set[asyncio.Task[None]] = field(default_factory=set, repr=False)

    async def keep(self, claim: Claim, answer: Answer) -> None:
        """Store a request's answer (or start storing it, in the background)."""
        if not self.background:
            await self._keep(claim, answer)
            return
        task = asyncio.create_task(self._keep(claim, answer))
        self._storing.add(task)
        task.add_done_callback(self._storing.discard)

    async def drain(self) -> None:
        """Wait for the answers still being stored."""
        await asyncio.gather(*self._storing)

    async def _keep(self, claim: Claim, answer: Answer) -> None:
        try:
            await self.store.keep(claim, answer)
        except Exception:
            # The effect stands; a retry is told it was recorded once (409), never run again.
            log.warning("idempotency answer not stored", exc_info=True)


async def purge_periodically(store: IdempotencyStore, older_than: timedelta, every: float) -> None:
    """Forget expired keys now and then every `every` seconds, until cancelled."""
    while True:
        try:
            purged = await store.purge(older_than)
        except Exception:
            # The database may be away for a while; keys are kept "at least" the retention.
            log.warning("idempotency keys not purged", exc_info=True)
        else:
            if purged:
                log.info("idempotency keys purged", extra={"purged": purged})
        await asyncio.sleep(every)


@asynccontextmanager
async def keeping(
    app: Any, store: IdempotencyStore, settings: IdempotencySettings, *, background: bool = False
) -> AsyncIterator[None]:
    """For an app's lifespan: keys kept in `store`, purged once past the retention."""
    keeper = Keeper(store, settings.idempotency_wait_seconds, background)
    app.state.idempotency = keeper
    retention = timedelta(hours=settings.idempotency_retention_hours)
    task = asyncio.create_task(
        purge_periodically(store, retention, settings.idempotency_purge_every_seconds)
    )
    try:
        yield
    finally:
        await keeper.drain()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
