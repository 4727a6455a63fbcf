"""Sites (sync gateways) and service clients."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from akiba_auth.api.deps import Uow
from akiba_auth.api.schemas import (
    CLIENT_ID,
    ClientRequest,
    ClientResponse,
    HandOverRequest,
    HandOverResponse,
    IdsRequest,
    RotatedSecretResponse,
    SecretRotation,
    SiteRequest,
    SiteResponse,
)
from akiba_auth.handlers import sites
from akiba_auth.handlers.site_credentials import site_credentials
from akiba_contracts.rights import Right
from akiba_contracts.sync import SiteCredentials
from akiba_platform.auth import requires, requires_site

router = APIRouter(tags=["sites and clients"])
SITES, CLIENTS = Right.SITES_MANAGE, Right.SYSTEM_SETTINGS_MANAGE
ClientId = Annotated[str, Path(min_length=3, max_length=64, pattern=CLIENT_ID)]


@router.post("/sites", status_code=201, **requires(SITES))
async def create_site(body: SiteRequest, uow: Uow) -> SiteResponse:
    """Register a site; the answer holds its secret, shown this once; 409 for another's store."""
    site, secret = await sites.create_site(uow, body.name, body.store_ids)
    return SiteResponse.of(site, secret)


@router.get("/sites", **requires(SITES))
async def list_sites(uow: Uow) -> list[SiteResponse]:
    """Every site (without secrets)."""
    async with uow:
        return [SiteResponse.of(s) for s in await uow.sites.sites()]


@router.put("/sites/{site_id}/stores", **requires(SITES))
async def set_stores(site_id: UUID, body: IdsRequest, uow: Uow) -> SiteResponse:
    """Replace the stores the site manages; 409 for a store another site manages."""
    return SiteResponse.of(await sites.set_site_stores(uow, site_id, body.ids))


@router.post("/stores/{store_id}/hand-over", **requires(SITES))
async def hand_over(store_id: UUID, body: HandOverRequest, uow: Uow) -> HandOverResponse:
    """Move a store to another site, or back to central: its one writer changes in one step."""
    done = await sites.hand_over(uow, store_id, body.to_site_id)
    return HandOverResponse(
        store_id=store_id,
        from_site_id=done.from_site.site_id if done.from_site else None,
        to_site_id=done.to_site.site_id if done.to_site else None,
        version=done.version,
    )


@router.get("/sites/{site_id}/credentials", **requires_site("site_id"))
async def credentials(site_id: UUID, uow: Uow) -> SiteCredentials:
    """The site's users with password hashes and permissions, for offline sign-in (site only)."""
    return await site_credentials(uow, site_id)


@router.post("/sites/{site_id}/deactivate", **requires(SITES))
async def deactivate_site(site_id: UUID, uow: Uow) -> SiteResponse:
    """Refuse the site's credentials from now on."""
    return SiteResponse.of(await sites.deactivate_site(uow, site_id))


@router.post("/sites/{site_id}/secret", status_code=201, **requires(SITES))
async def rotate_site_secret(
    site_id: UUID, body: SecretRotation, uow: Uow
) -> RotatedSecretResponse:
    """A new secret for the site, shown this once; the old one works for a grace period."""
    done = await sites.rotate_site_secret(uow, site_id, timedelta(hours=body.keep_previous_hours))
    return RotatedSecretResponse(
        client_id=str(site_id), secret=done.secret, previous_valid_until=done.previous_valid_until
    )


@router.post("/service-clients", status_code=201, **requires(CLIENTS))
async def create_client(body: ClientRequest, uow: Uow) -> ClientResponse:
    """Register a service client; the answer holds its secret, shown this once."""
    client, secret = await sites.create_client(uow, body.client_id, body.name, body.rights)
    return ClientResponse.of(client, secret)


@router.get("/service-clients", **requires(CLIENTS))
async def list_clients(uow: Uow) -> list[ClientResponse]:
    """Every service client (without secrets)."""
    async with uow:
        return [ClientResponse.of(c) for c in await uow.sites.clients()]


@router.post("/service-clients/{client_id}/deactivate", **requires(CLIENTS))
async def deactivate_client(client_id: ClientId, uow: Uow) -> ClientResponse:
    """Refuse the client's credentials from now on."""
    return ClientResponse.of(await sites.deactivate_client(uow, client_id))


@router.post("/service-clients/{client_id}/secret", status_code=201, **requires(CLIENTS))
async def rotate_client_secret(
    client_id: ClientId, body: SecretRotation, uow: Uow
) -> RotatedSecretResponse:
    """A new secret for the service client, shown this once; the old one works for a while."""
    keep = timedelta(hours=body.keep_previous_hours)
    done = await sites.rotate_client_secret(uow, client_id, keep)
    return RotatedSecretResponse(
        client_id=client_id, secret=done.secret, previous_valid_until=done.previous_valid_until
    )
