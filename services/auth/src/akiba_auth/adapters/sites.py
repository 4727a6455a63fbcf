"""Sites and service clients: machine callers with hashed secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from akiba_auth.domain.errors import Conflict
from akiba_auth.domain.model import ServiceClient, Site
from akiba_contracts.rights import Right
from akiba_platform import Connection

# The current secret's digest, then the rotated-out one's while it is still accepted.
_VALID_DIGESTS = (
    "array_remove(array[secret_hash, case when previous_secret_until > now()"
    " then previous_secret_hash end], null) as digests"
)
_REPLACE = (
    "update {table} set previous_secret_hash = case when $3::timestamptz is null then null"
    " else secret_hash end, previous_secret_until = $3, secret_hash = $2 where {key} = $1"
)


def _site(r: Any) -> Site:
    return Site(r["site_id"], r["name"], r["active"], tuple(r["store_ids"]), r["version"])


def _client(r: Any) -> ServiceClient:
    return ServiceClient(
        r["client_id"], r["name"], r["active"], frozenset(Right(x) for x in r["rights"])
    )


def _taken(store_id: UUID, site_id: UUID) -> Conflict:
    return Conflict(
        f"store {store_id} is managed by site {site_id}: a store has one writer; move it with"
        f" POST /stores/{store_id}/hand-over"
    )


class AsyncpgSiteRepository:
    """The sites and service_clients tables."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def next_version(self) -> int:
        """The version of the change being made (one per change, whatever it rewrites)."""
        return int(await self._conn.fetchval("select nextval('site_versions')"))

    async def add_site(self, site: Site, secret_hash: str) -> None:
        """Insert a site; Conflict if one of its stores is another site's."""
        await self._conn.execute(
            "insert into sites (site_id, name, active, secret_hash, store_ids, version)"
            " values ($1, $2, $3, $4, $5, $6)",
            site.site_id,
            site.name,
            site.active,
            secret_hash,
            list(site.store_ids),
            site.version,
        )
        await self._claim(site)

    async def save_site(self, site: Site) -> None:
        """Write back a site's name, state, stores and version; Conflict as in add_site."""
        await self._conn.execute(
            "update sites set name = $2, active = $3, store_ids = $4, version = $5"
            " where site_id = $1",
            site.site_id,
            site.name,
            site.active,
            list(site.store_ids),
            site.version,
        )
        await self._conn.execute(
            "delete from site_stores where site_id = $1 and store_id <> all($2::uuid[])",
            site.site_id,
            list(site.store_ids),
        )
        await self._claim(site)

    async def _claim(self, site: Site) -> None:
        taken = await self._conn.fetch(
            "select store_id, site_id from site_stores"
            " where store_id = any($1::uuid[]) and site_id <> $2",
            list(site.store_ids),
            site.site_id,
        )
        if taken:
            raise _taken(taken[0]["store_id"], taken[0]["site_id"])
        # The caller holds lock_stores(); the primary key still refuses a double claim.
        await self._conn.execute(
            "insert into site_stores (store_id, site_id) select unnest($1::uuid[]), $2"
            " on conflict (store_id) do nothing",
            list(site.store_ids),
            site.site_id,
        )

    async def site_of_store(self, store_id: UUID) -> UUID | None:
        """The site that manages a store, if any (locked until the transaction ends)."""
        value = await self._conn.fetchval(
            "select site_id from site_stores where store_id = $1 for update", store_id
        )
        return value if isinstance(value, UUID) else None

    async def lock_stores(self) -> None:
        """Serialise changes to who writes which store (they are rare and must not interleave)."""
        await self._conn.execute("select pg_advisory_xact_lock(hashtext('auth.site_stores'))")

    async def site(self, site_id: UUID) -> tuple[Site, tuple[str, ...]] | None:
        """The site and the digests of its secrets valid now (a rotated-out one for a while)."""
        r = await self._conn.fetchrow(
            f"select *, {_VALID_DIGESTS} from sites where site_id = $1", site_id
        )
        return None if r is None else (_site(r), tuple(r["digests"]))

    async def replace_site_secret(
        self, site_id: UUID, digest: str, keep_until: datetime | None
    ) -> None:
        """A new secret; the current one stays valid until `keep_until` (None: not at all)."""
        await self._conn.execute(
            _REPLACE.format(table="sites", key="site_id"), site_id, digest, keep_until
        )

    async def sites(self) -> list[Site]:
        """Every site by name."""
        return [_site(r) for r in await self._conn.fetch("select * from sites order by name")]

    async def add_client(self, client: ServiceClient, secret_hash: str) -> None:
        """Insert a service client; Conflict if the id is taken."""
        try:
            await self._conn.execute(
                "insert into service_clients (client_id, name, active, secret_hash, rights)"
                " values ($1, $2, $3, $4, $5)",
                client.client_id,
                client.name,
                client.active,
                secret_hash,
                sorted(str(r) for r in client.rights),
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"a service client {client.client_id!r} exists") from None

    async def save_client(self, client: ServiceClient) -> None:
        """Write back a client's state and rights."""
        await self._conn.execute(
            "update service_clients set name = $2, active = $3, rights = $4 where client_id = $1",
            client.client_id,
            client.name,
            client.active,
            sorted(str(r) for r in client.rights),
        )

    async def client(self, client_id: str) -> tuple[ServiceClient, tuple[str, ...]] | None:
        """The client and the digests of its secrets valid now."""
        r = await self._conn.fetchrow(
            f"select *, {_VALID_DIGESTS} from service_clients where client_id = $1", client_id
        )
        return None if r is None else (_client(r), tuple(r["digests"]))

    async def replace_client_secret(
        self, client_id: str, digest: str, keep_until: datetime | None
    ) -> None:
        """A new secret; the current one stays valid until `keep_until` (None: not at all)."""
        await self._conn.execute(
            _REPLACE.format(table="service_clients", key="client_id"), client_id, digest, keep_until
        )

    async def clients(self) -> list[ServiceClient]:
        """Every service client by id."""
        rows = await self._conn.fetch("select * from service_clients order by client_id")
        return [_client(r) for r in rows]
