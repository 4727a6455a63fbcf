"""What a push or a pull tells the hub of its site, kept as the site's last contact."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import Depends, Header

from akiba_contracts.fields import TEXT_PATTERN
from akiba_contracts.sync import BACKLOG_HEADER, OLDEST_UNFORWARDED_HEADER
from akiba_sync_hub.adapters.status import AsyncpgSyncStatusRepository
from akiba_sync_hub.api.deps import state
from akiba_sync_hub.domain.status import Contact, Reported, Seen, read_report, seen, then

log = logging.getLogger(__name__)


# Declared as bounded text rather than a number and a date-time: a value that does not read is
# left out (`read_report`), never a 422 that would stop a site's sync over its status report.
async def _report(
    backlog: Annotated[
        str | None,
        Header(
            alias=BACKLOG_HEADER,
            max_length=19,
            pattern=TEXT_PATTERN,
            description="Events the site recorded and has not forwarded yet (optional)",
        ),
    ] = None,
    oldest: Annotated[
        str | None,
        Header(
            alias=OLDEST_UNFORWARDED_HEADER,
            max_length=64,
            pattern=TEXT_PATTERN,
            description="When the oldest of them was recorded, ISO 8601 (optional)",
        ),
    ] = None,
) -> Reported:
    return read_report(backlog, oldest)


Report = Annotated[Reported, Depends(_report)]
"""The gateway's backlog report, from the request's headers (empty when it sent none)."""


class Contacts:
    """The sites' contacts, kept in memory and written in one upsert every `every` seconds.

    Off the answer's path: a push or a pull is answered without waiting for PostgreSQL, and
    thousands of contacts a second cost one statement. A crash loses at most the last
    `every` seconds of sync status (last contact, backlog), which the site's next contact
    writes again; no event is concerned.
    """

    def __init__(self, pool: asyncpg.Pool[Any], every: float) -> None:
        self._pool, self._every = pool, every
        self._pending: dict[UUID, Seen] = {}
        self._writing = asyncio.Lock()

    def note(self, contact: Contact) -> None:
        """Keep the contact, folded into the site's others not yet written."""
        site = contact.site_id
        self._pending[site] = then(self._pending.get(site), seen(contact, datetime.now(UTC)))

    async def flush(self) -> None:
        """Write what is pending (a failure is logged and kept for the next flush)."""
        async with self._writing:  # a reader flushing waits for a write under way
            batch, self._pending = self._pending, {}
            if not batch:
                return
            try:
                async with self._pool.acquire() as conn:
                    await AsyncpgSyncStatusRepository(conn).seen(list(batch.values()))
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
                log.warning("the sync status of %d sites was not recorded yet", len(batch),
                            exc_info=True)  # fmt: skip
                for site, before in batch.items():
                    self._pending[site] = then(before, self._pending[site]) \
                        if site in self._pending else before  # fmt: skip

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Contacts]:
        """Flush every `every` seconds, and once more on the way out."""
        task = asyncio.create_task(self._loop())
        try:
            yield self
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await self.flush()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.flush()
            except Exception:  # the loop must outlive anything; the next flush retries
                log.exception("flushing the sites' sync status failed")


ContactsDep = Annotated[Contacts, Depends(state("contacts"))]
