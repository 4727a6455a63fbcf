"""The site_feed and feed_sites tables."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from akiba_platform import Connection
from akiba_sync_hub.domain.model import FeedChange, SiteStores

# Feed writers hold this for their whole transaction, so seqs become visible in their order:
# with two writers interleaving, a reader could see seq 11 committed while 10 was still in
# flight, move its cursor past 10, and never receive it.
FEED_LOCK = 0x46454544

# A row changes (and takes a new seq) when its value does, unless the record is older than the
# row's: a redelivered or replayed record must not take a site's requisition back a step.
_UPSERT = """
insert into site_feed (scope, kind, key, event_type, data, version)
select c.scope, c.kind, c.key, c.event_type, c.data::jsonb, c.version
from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
     with ordinality as c(scope, kind, key, event_type, data, version, n)
order by c.n
on conflict (scope, kind, key) do update
set seq = excluded.seq, event_type = excluded.event_type, data = excluded.data,
    version = excluded.version, changed_at = now()
where (site_feed.data is distinct from excluded.data
       or site_feed.event_type is distinct from excluded.event_type)
  and not coalesce(excluded.version < site_feed.version, false)
"""

_ABSENT = """
select c.scope, c.kind, c.key
from unnest($1::text[], $2::text[], $3::text[]) as c(scope, kind, key)
where not exists (
    select 1 from site_feed f where f.scope = c.scope and f.kind = c.kind and f.key = c.key
)
"""

# One index range scan per scope, each stopped at the page size; then the merged page.
_PAGE = """
select f.seq, f.kind, f.key, f.event_type, f.data
from unnest($1::text[]) as s(scope)
cross join lateral (
    select seq, kind, key, event_type, data from site_feed
    where scope = s.scope and seq > $2 order by seq limit $3
) as f
order by f.seq
limit $3
"""


class AsyncpgFeedRepository:
    """Writes and reads the feed on one connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock(self) -> None:
        """Serialise feed writers until this transaction ends."""
        await self._conn.execute("select pg_advisory_xact_lock($1)", FEED_LOCK)

    async def upsert(self, changes: list[FeedChange]) -> None:
        """Store each change as its row's current value, under a new seq if it differs."""
        if not changes:
            return
        rows = [(c.scope, c.kind, c.key, c.event_type, _json(c.data), c.version) for c in changes]
        await self._conn.execute(_UPSERT, *(list(column) for column in zip(*rows, strict=True)))

    async def absent(self, changes: list[FeedChange]) -> list[FeedChange]:
        """The changes whose row does not exist yet (a redelivered one does)."""
        if not changes:
            return []
        ids = [c.identity for c in changes]
        rows = await self._conn.fetch(_ABSENT, *(list(col) for col in zip(*ids, strict=True)))
        new = {(r["scope"], r["kind"], r["key"]) for r in rows}
        return [c for c in changes if c.identity in new]

    async def site(self, site_id: UUID) -> SiteStores | None:
        """The site as the feed last recorded it."""
        r = await self._conn.fetchrow(
            "select site_id, active, store_ids from feed_sites where site_id = $1", site_id
        )
        return (
            None if r is None else SiteStores(r["site_id"], r["active"], frozenset(r["store_ids"]))
        )

    async def save_site(self, site: SiteStores) -> None:
        """Record the site's state and stores."""
        await self._conn.execute(
            "insert into feed_sites (site_id, active, store_ids) values ($1, $2, $3)"
            " on conflict (site_id) do update"
            " set active = excluded.active, store_ids = excluded.store_ids, changed_at = now()",
            site.site_id,
            site.active,
            sorted(site.store_ids),
        )

    async def renumber(self, scopes: list[str]) -> None:
        """Give every row of these scopes a new seq, so cursors past them see them again."""
        if scopes:
            await self._conn.execute(
                "update site_feed set seq = nextval('site_feed_seq') where scope = any($1::text[])",
                scopes,
            )

    async def page(self, scopes: list[str], after: int, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` rows of these scopes after the cursor, oldest first."""
        rows = await self._conn.fetch(_PAGE, scopes, after, limit)
        return [dict(r) for r in rows]  # the pool's codec reads jsonb as Python objects


def _json(data: dict[str, Any] | None) -> str | None:
    return None if data is None else json.dumps(data, separators=(",", ":"))
