"""What an app keeps keys with (`app.state.idempotency`), and the periodic purge."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from akiba_platform.idempotency._store import IdempotencyStore

log = logging.getLogger(__name__)


class IdempotencySettings(Protocol):
    """The settings fields both kinds of service (central and gateway) declare."""

    idempotency_retention_hours: float
    idempotency_purge_every_seconds: float
    idempotency_wait_seconds: float


@dataclass(frozen=True)
class Keeper:
    """The store, and how long a retry waits for a first request still in flight."""

    store: IdempotencyStore
    wait_seconds: float = 5.0


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
    app: Any, store: IdempotencyStore, settings: IdempotencySettings
) -> AsyncIterator[None]:
    """For an app's lifespan: keys kept in `store`, purged once past the retention."""
    app.state.idempotency = Keeper(store, settings.idempotency_wait_seconds)
    retention = timedelta(hours=settings.idempotency_retention_hours)
    task = asyncio.create_task(
        purge_periodically(store, retention, settings.idempotency_purge_every_seconds)
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
