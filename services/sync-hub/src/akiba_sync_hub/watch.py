"""Counts the sites by sync state every so often, for the metrics (and the silent-site alert)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg

from akiba_platform import is_transient
from akiba_sync_hub import metrics, views
from akiba_sync_hub.domain.status import Thresholds, count_states

log = logging.getLogger(__name__)


async def count_sites(pool: asyncpg.Pool[Any], limits: Thresholds) -> None:
    """Set the sites gauge from the status of every site."""
    rows = await views.sync_statuses(pool, None)
    for state, n in count_states(rows, datetime.now(UTC), limits).items():
        metrics.sites.set(n, {"state": state.value})


async def _count_every(pool: asyncpg.Pool[Any], limits: Thresholds, every: float) -> None:
    while True:
        try:
            await count_sites(pool, limits)
        except Exception as exc:
            log.log(logging.WARNING if is_transient(exc) else logging.ERROR,
                    "counting the sites failed", exc_info=True)  # fmt: skip
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def counting(
    pool: asyncpg.Pool[Any], limits: Thresholds, every: float
) -> AsyncIterator[None]:
    """Count the sites every `every` seconds while inside."""
    task = asyncio.create_task(_count_every(pool, limits, every))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
