"""The site_sync_status table: contacts, refusals, and the status list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from typing import Any
from uuid import UUID

from akiba_platform import Connection
from akiba_sync_hub.domain.status import Seen

# The contacts of many sites in one upsert (one row per site, folded in memory first). A report
# left out (an older gateway) keeps the last one, whose age `backlog_at` shows; a reported
# backlog of 0 clears the oldest unsynced time.
_SEEN = """
insert into site_sync_status as s (
    site_id, last_contact_at, last_push_at, last_pull_at,
    backlog, oldest_unsynced_at, backlog_at, refusals, last_refusal_at
)
select * from unnest(
    $1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[],
    $5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::bigint[], $9::timestamptz[]
)
on conflict (site_id) do update set
    last_contact_at = excluded.last_contact_at,
    last_push_at = coalesce(excluded.last_push_at, s.last_push_at),
    last_pull_at = coalesce(excluded.last_pull_at, s.last_pull_at),
    backlog = case when excluded.backlog_at is null then s.backlog else excluded.backlog end,
    oldest_unsynced_at = case when excluded.backlog_at is null then s.oldest_unsynced_at
                              else excluded.oldest_unsynced_at end,
    backlog_at = coalesce(excluded.backlog_at, s.backlog_at),
    refusals = s.refusals + excluded.refusals,
    last_refusal_at = coalesce(excluded.last_refusal_at, s.last_refusal_at)
"""

# A refusal routed to a store's scope counts for the active site that manages the store.
_REFUSED = """
insert into site_sync_status as s (site_id, refusals, last_refusal_at)
select coalesce(r.site_id, f.site_id), count(*), now()
from unnest($1::uuid[], $2::uuid[]) as r(site_id, store_id)
left join feed_sites f on r.site_id is null and f.active and r.store_id = any(f.store_ids)
where coalesce(r.site_id, f.site_id) is not null
group by 1
on conflict (site_id) do update
set refusals = s.refusals + excluded.refusals, last_refusal_at = excluded.last_refusal_at
"""

# Every site the feed knows (auth.sites), seen or not; its name from its own feed row.
_LIST = """
select f.site_id, f.active, f.store_ids, n.data ->> 'name' as name,
       s.last_contact_at, s.last_push_at, s.last_pull_at, s.backlog, s.oldest_unsynced_at,
       s.backlog_at, coalesce(s.refusals, 0) as refusals, s.last_refusal_at
from feed_sites f
left join site_sync_status s on s.site_id = f.site_id
left join site_feed n on n.scope = 'site:' || f.site_id and n.kind = 'site'
                     and n.key = f.site_id::text
where $1::uuid[] is null or f.store_ids && $1::uuid[]
order by name nulls last, f.site_id
"""


class AsyncpgSyncStatusRepository:
    """Writes and reads the sites' sync status on one connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def seen(self, sites: Sequence[Seen]) -> None:
        """Record what was seen of each site: its pushes and pulls, the backlog they reported
        and what the door refused."""
        if sites:
            columns = [list(c) for c in zip(*(astuple(s) for s in sites), strict=True)]
            await self._conn.execute(_SEEN, *columns)

    async def refused(self, owners: list[tuple[UUID | None, UUID | None]]) -> None:
        """Count refusals, each of a site or else of the site managing a store."""
        if owners:
            sites, stores = zip(*owners, strict=True)
            await self._conn.execute(_REFUSED, list(sites), list(stores))

    async def sites(self, stores: list[UUID] | None) -> list[dict[str, Any]]:
        """Every site, or those managing any of `stores`, with what the hub saw of each."""
        return [dict(r) for r in await self._conn.fetch(_LIST, stores)]
