"""What a push or a pull tells the hub of its site, kept as the site's last contact."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Header

from akiba_contracts.fields import TEXT_PATTERN
from akiba_contracts.sync import BACKLOG_HEADER, OLDEST_UNFORWARDED_HEADER
from akiba_sync_hub.adapters.status import AsyncpgSyncStatusRepository
from akiba_sync_hub.domain.status import Contact, Reported, read_report

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


async def note(pool: asyncpg.Pool[Any], contact: Contact) -> None:
    """Record the contact; a failure is logged, and the push or pull is answered all the same."""
    try:
        async with pool.acquire() as conn:
            await AsyncpgSyncStatusRepository(conn).contact(contact)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
        log.warning("the sync status of site %s was not recorded", contact.site_id, exc_info=True)
