"""Stores (facilities) and their locations."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter

from akiba_contracts.fields import SearchText
from akiba_contracts.rights import Right
from akiba_inventory.api.deps import Uow
from akiba_inventory.api.reference_schemas import (
    LocationRequest,
    LocationResponse,
    Page,
    StoreRequest,
    StoreResponse,
)
from akiba_inventory.api.routes.ref_common import Reader, paged
from akiba_inventory.handlers import reference as rh
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_stock import reference as ref

router = APIRouter(tags=["reference data"])
MANAGE = Right.FACILITIES_MANAGE
STORES, STORE = "/stores", "/stores/{store_id}"
LOCATIONS, LOCATION = f"{STORE}/locations", f"{STORE}/locations/{{location_id}}"
# Who works at a store may see its locations: the right that shows its stock, at that store.
VIEW = Right.STOCK_CARDS_VIEW


@router.post(STORES, status_code=201, response_model=StoreResponse, **requires(MANAGE))
async def create_store(body: StoreRequest, uow: Uow) -> ref.Store:
    """Add a store of a facility type in a zone (409 if the code is taken)."""
    return await rh.create(uow, ref.Store(uuid4(), **body.model_dump()))


@router.get(STORES, response_model=Page[StoreResponse], **requires(MANAGE))
async def list_stores(
    repo: Reader,
    paging: PageQuery,
    facility_type_id: UUID | None = None,
    zone_id: UUID | None = None,
    managed_by: ref.ManagedBy | None = None,
    active: bool | None = None,
    q: SearchText | None = None,
) -> dict[str, Any]:
    """Stores by code, a page at a time."""
    criteria = {"facility_type_id": facility_type_id, "zone_id": zone_id, "q": q}
    return await paged(repo, ref.Store, paging, managed_by=managed_by, active=active, **criteria)


@router.get(STORE, response_model=StoreResponse, **requires(MANAGE))
async def get_store(store_id: UUID, repo: Reader) -> ref.Store:
    """One store."""
    return await rh.get(repo, ref.Store, store_id)


@router.put(STORE, response_model=StoreResponse, **requires(MANAGE))
async def update_store(store_id: UUID, body: StoreRequest, uow: Uow) -> ref.Store:
    """Replace a store's fields."""
    return await rh.update(uow, ref.Store, store_id, **body.model_dump())


@router.post(f"{STORE}/deactivate", response_model=StoreResponse, **requires(MANAGE))
async def deactivate_store(store_id: UUID, uow: Uow) -> ref.Store:
    """Mark a store inactive: its ledger refuses new movements."""
    return await rh.deactivate(uow, ref.Store, store_id)


@router.post(LOCATIONS, status_code=201, response_model=LocationResponse, **requires(MANAGE))
async def create_location(store_id: UUID, body: LocationRequest, uow: Uow) -> ref.Location:
    """Add a location to a store (409 if the store has one with that code)."""
    return await rh.create(uow, ref.Location(uuid4(), store_id, **body.model_dump()))


@router.get("/locations", response_model=Page[LocationResponse], **requires(MANAGE))
async def list_all_locations(
    repo: Reader,
    paging: PageQuery,
    store_id: UUID | None = None,
    cold_chain: bool | None = None,
    active: bool | None = None,
    q: SearchText | None = None,
) -> dict[str, Any]:
    """Locations of every store (or one), by code, a page at a time: the administrator's list."""
    criteria = {"store_id": store_id, "cold_chain": cold_chain, "active": active, "q": q}
    return await paged(repo, ref.Location, paging, **criteria)


@router.get(LOCATIONS, response_model=Page[LocationResponse], **requires(VIEW, facility="store_id"))
async def list_locations(
    store_id: UUID,
    repo: Reader,
    paging: PageQuery,
    cold_chain: bool | None = None,
    active: bool | None = None,
    q: SearchText | None = None,
) -> dict[str, Any]:
    """The store's locations by code, a page at a time."""
    await rh.get(repo, ref.Store, store_id)
    criteria = {"store_id": store_id, "cold_chain": cold_chain, "active": active, "q": q}
    return await paged(repo, ref.Location, paging, **criteria)


@router.get(LOCATION, response_model=LocationResponse, **requires(VIEW, facility="store_id"))
async def get_location(store_id: UUID, location_id: UUID, repo: Reader) -> ref.Location:
    """One location of the store."""
    return await rh.get(repo, ref.Location, location_id, within={"store_id": store_id})


@router.put(LOCATION, response_model=LocationResponse, **requires(MANAGE))
async def update_location(
    store_id: UUID, location_id: UUID, body: LocationRequest, uow: Uow
) -> ref.Location:
    """Replace a location's fields."""
    within = {"store_id": store_id}
    return await rh.update(uow, ref.Location, location_id, within, **body.model_dump())


@router.post(f"{LOCATION}/deactivate", response_model=LocationResponse, **requires(MANAGE))
async def deactivate_location(store_id: UUID, location_id: UUID, uow: Uow) -> ref.Location:
    """Mark a location inactive."""
    return await rh.deactivate(uow, ref.Location, location_id, {"store_id": store_id})
