"""Who writes each store, as auth last said: edge_sites, store_writers and the stores' copy."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from akiba_platform import Connection


@dataclass(frozen=True)
class SiteState:
    """A site as central last heard of it."""

    site_id: UUID
    active: bool
    version: int


@dataclass(frozen=True)
class Reassigned:
    """A store whose writer changed here: the site that writes it now (None: central)."""

    store_id: UUID
    site_id: UUID | None
    next_sequence: int


class Writers(Protocol):
    """Who writes each store, as auth last said (the read model of auth.sites)."""

    async def sites(self, ids: Collection[UUID]) -> dict[UUID, SiteState]:
        """The sites central knows among these."""
        ...

    async def save_site(self, site: SiteState) -> bool:
        """Keep a site's latest record; False if a newer one is already held (an old record)."""
        ...

    async def assign(self, site_id: UUID, store_ids: Sequence[UUID], version: int) -> None:
        """The site claims its stores; a claim is older than the store's record only if lower."""
        ...

    async def reassigned(self, store_ids: Collection[UUID] | None = None) -> list[Reassigned]:
        """Stores whose copy of their writer differs from auth's word (locked, in id order)."""
        ...

    async def writer(self, store_id: UUID) -> UUID | None:
        """The site auth says writes a store (None: central, or not assigned yet)."""
        ...


class AsyncpgWriters:
    """The read model of auth.sites, on the consumer's (or the caller's) transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def sites(self, ids: Collection[UUID]) -> dict[UUID, SiteState]:
        """The sites central knows among these."""
        rows = await self._conn.fetch(
            "select site_id, active, version from edge_sites where site_id = any($1::uuid[])",
            list(ids),
        )
        return {r["site_id"]: SiteState(**dict(r)) for r in rows}

    async def save_site(self, site: SiteState) -> bool:
        """Keep a site's latest record; False if a newer one is already held (an old record)."""
        row = await self._conn.fetchrow(
            "insert into edge_sites as s (site_id, active, version) values ($1, $2, $3)"
            " on conflict (site_id) do update set active = excluded.active,"
            " version = excluded.version, updated_at = clock_timestamp()"
            " where s.version <= excluded.version returning site_id",
            site.site_id,
            site.active,
            site.version,
        )
        return row is not None

    async def assign(self, site_id: UUID, store_ids: Sequence[UUID], version: int) -> None:
        """The site claims its stores; a claim is older than the store's record only if lower.

        Claims win ties: a hand-over rewrites the old and the new site at one version, and the
        new site's claim must hold whichever of the two records is read first.
        """
        await self._conn.execute(
            "insert into store_writers as w (store_id, site_id, version)"
            " select unnest($1::uuid[]), $2, $3 on conflict (store_id) do update"
            " set site_id = excluded.site_id, version = excluded.version"
            " where w.version <= excluded.version",
            list(store_ids),
            site_id,
            version,
        )
        # The stores the site gave up, unless another site (or a newer record) took them since.
        await self._conn.execute(
            "update store_writers set site_id = null, version = $3"
            " where site_id = $1 and store_id <> all($2::uuid[]) and (version < $3 or $3 = 0)",
            site_id,
            list(store_ids),
            version,
        )

    async def reassigned(self, store_ids: Collection[UUID] | None = None) -> list[Reassigned]:
        """Stores whose copy of their writer differs from auth's word (locked, in id order)."""
        rows = await self._conn.fetch(
            "select s.store_id, w.site_id, s.next_sequence from stores s"
            " join store_writers w using (store_id)"
            " where s.site_id is distinct from w.site_id"
            " and ($1::uuid[] is null or s.store_id = any($1::uuid[]))"
            " order by s.store_id for update of s",
            None if store_ids is None else list(store_ids),
        )
        return [Reassigned(**dict(r)) for r in rows]

    async def writer(self, store_id: UUID) -> UUID | None:
        """The site auth says writes a store (None: central, or not assigned yet)."""
        value = await self._conn.fetchval(
            "select site_id from store_writers where store_id = $1", store_id
        )
        return value if isinstance(value, UUID) else None
