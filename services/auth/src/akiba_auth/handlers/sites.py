"""Sites and service clients: machine callers whose secret is shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from akiba_auth.domain.errors import ClientNotFound, Invalid, SiteNotFound
from akiba_auth.domain.model import ServiceClient, Site, check_client_rights
from akiba_auth.outbound import site_changed
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.rights import Right


def new_secret() -> tuple[str, str]:
    """A random secret and its digest."""
    secret = secrets.token_urlsafe(32)
    return secret, secret_digest(secret)


def secret_digest(secret: str) -> str:
    """SHA-256 is enough for 256 random bits: there is nothing to guess, unlike a password."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(stored: Iterable[str], secret: str) -> bool:
    """Whether the secret is one of the stored digests; every digest compared in constant time."""
    digest = secret_digest(secret)
    return sum(hmac.compare_digest(s, digest) for s in stored) > 0


@dataclass(frozen=True)
class RotatedSecret:
    """A new secret (shown once) and until when the one it replaced is still accepted."""

    secret: str
    previous_valid_until: datetime | None


def _keep_until(keep: timedelta) -> datetime | None:
    return datetime.now(UTC) + keep if keep > timedelta(0) else None


async def rotate_site_secret(
    uow: AuthUnitOfWork, site_id: UUID, keep_previous: timedelta
) -> RotatedSecret:
    """Give a site a new secret; the old one works for `keep_previous` (zero: end it now)."""
    secret, digest = new_secret()
    until = _keep_until(keep_previous)
    async with uow:
        await _site(uow, site_id)
        await uow.sites.replace_site_secret(site_id, digest, until)
        await uow.commit()
    return RotatedSecret(secret, until)


async def rotate_client_secret(
    uow: AuthUnitOfWork, client_id: str, keep_previous: timedelta
) -> RotatedSecret:
    """Give a service client a new secret; the old one works for `keep_previous`."""
    secret, digest = new_secret()
    until = _keep_until(keep_previous)
    async with uow:
        if await uow.sites.client(client_id) is None:
            raise ClientNotFound(f"service client {client_id!r} does not exist")
        await uow.sites.replace_client_secret(client_id, digest, until)
        await uow.commit()
    return RotatedSecret(secret, until)


async def create_site(
    uow: AuthUnitOfWork, name: str, store_ids: Iterable[UUID]
) -> tuple[Site, str]:
    """Register a site; Conflict if one of the stores is another site's (it has one writer)."""
    secret, digest = new_secret()
    async with uow:
        await uow.sites.lock_stores()
        version = await uow.sites.next_version()
        site = Site(uuid4(), name, True, tuple(dict.fromkeys(store_ids)), version)
        await uow.sites.add_site(site, digest)
        uow.publish(site_changed(site, datetime.now(UTC)))
        await uow.commit()
    return site, secret


async def _change_site(uow: AuthUnitOfWork, site_id: UUID, **changes: object) -> Site:
    async with uow:
        await uow.sites.lock_stores()
        site = await _site(uow, site_id)
        version = await uow.sites.next_version()
        site = replace(site, version=version, **changes)  # type: ignore[arg-type]
        await uow.sites.save_site(site)
        uow.publish(site_changed(site, datetime.now(UTC)))
        await uow.commit()
    return site


async def _site(uow: AuthUnitOfWork, site_id: UUID) -> Site:
    found = await uow.sites.site(site_id)
    if found is None:
        raise SiteNotFound(f"site {site_id} does not exist")
    return found[0]


async def set_site_stores(uow: AuthUnitOfWork, site_id: UUID, store_ids: Iterable[UUID]) -> Site:
    """Replace the stores a site manages; Conflict for a store another site manages."""
    return await _change_site(uow, site_id, store_ids=tuple(dict.fromkeys(store_ids)))


@dataclass(frozen=True)
class HandOver:
    """Who wrote a store before a hand-over and who writes it after (None: central)."""

    store_id: UUID
    from_site: Site | None
    to_site: Site | None
    version: int


async def hand_over(uow: AuthUnitOfWork, store_id: UUID, to_site_id: UUID | None) -> HandOver:
    """Move a store to another site (or back to central) in one change, both records one version.

    The old site stops writing it; the new one starts after everything central applied. Documents
    the old site recorded and central had not applied yet are refused and reported to it.
    """
    async with uow:
        await uow.sites.lock_stores()
        current = await uow.sites.site_of_store(store_id)
        old = None if current is None else await _site(uow, current)
        new = None if to_site_id is None else await _site(uow, to_site_id)
        if new is not None and not new.active:
            raise Invalid(f"site {new.site_id} is inactive: it cannot take a store")
        if current == to_site_id:
            return HandOver(store_id, old, new, old.version if old else 0)
        version = await uow.sites.next_version()
        changed = []
        if old is not None:
            kept = tuple(s for s in old.store_ids if s != store_id)
            changed.append(old := replace(old, store_ids=kept, version=version))
        if new is not None:
            changed.append(
                new := replace(new, store_ids=(*new.store_ids, store_id), version=version)
            )
        now = datetime.now(UTC)
        for site in changed:  # the old site first: its claim goes before the new one's
            await uow.sites.save_site(site)
            uow.publish(site_changed(site, now))
        await uow.commit()
    return HandOver(store_id, old, new, version)


async def deactivate_site(uow: AuthUnitOfWork, site_id: UUID) -> Site:
    """Refuse the site's credentials from now on."""
    return await _change_site(uow, site_id, active=False)


async def create_client(
    uow: AuthUnitOfWork, client_id: str, name: str, rights: Iterable[Right]
) -> tuple[ServiceClient, str]:
    """Register a service client with global rights; the secret is returned once."""
    if _is_uuid(client_id):
        raise Invalid("a service client id cannot look like a site id (a uuid)")
    client = ServiceClient(client_id, name, True, check_client_rights(rights))
    secret, digest = new_secret()
    async with uow:
        await uow.sites.add_client(client, digest)
        await uow.commit()
    return client, secret


async def deactivate_client(uow: AuthUnitOfWork, client_id: str) -> ServiceClient:
    """Refuse the client's credentials from now on."""
    async with uow:
        found = await uow.sites.client(client_id)
        if found is None:
            raise ClientNotFound(f"service client {client_id!r} does not exist")
        client = replace(found[0], active=False)
        await uow.sites.save_client(client)
        await uow.commit()
    return client


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
