"""Read queries of the API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from akiba_sync_hub.adapters.feed import AsyncpgFeedRepository
from akiba_sync_hub.adapters.status import AsyncpgSyncStatusRepository
from akiba_sync_hub.domain.model import GLOBAL, site_scope


async def feed_page(
    pool: asyncpg.Pool[Any], site_id: UUID, after: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` entries of the site's scopes after the cursor, and whether more follow."""
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        repo = AsyncpgFeedRepository(conn)
        site = await repo.site(site_id)
        # Not yet in auth.sites as the feed read it: the global data and its (empty) site scope.
        scopes = site.scopes() if site else [GLOBAL, site_scope(site_id)]
        rows = await repo.page(scopes, after, limit + 1)
    return rows[:limit], len(rows) > limit


async def sync_statuses(pool: asyncpg.Pool[Any], stores: list[UUID] | None) -> list[dict[str, Any]]:
    """Every site the feed knows (None), or those managing any of `stores`, with its status."""
    async with pool.acquire() as conn:
        return await AsyncpgSyncStatusRepository(conn).sites(stores)
