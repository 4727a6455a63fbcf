"""Facility types and geographic zones (FACILITIES_MANAGE)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter

from akiba_contracts.fields import SearchText
from akiba_contracts.rights import Right
from akiba_inventory.api.deps import Uow
from akiba_inventory.api.reference_schemas import (
    FacilityTypeRequest,
    FacilityTypeResponse,
    Page,
    ZoneLevel,
    ZoneRequest,
    ZoneResponse,
)
from akiba_inventory.api.routes.ref_common import Reader, paged
from akiba_inventory.handlers import reference as rh
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_stock import reference as ref

router = APIRouter(tags=["reference data"])
MANAGE = Right.FACILITIES_MANAGE
TYPES, TYPE = "/facility-types", "/facility-types/{facility_type_id}"
ZONES, ZONE = "/geographic-zones", "/geographic-zones/{zone_id}"


@router.post(TYPES, status_code=201, response_model=FacilityTypeResponse, **requires(MANAGE))
async def create_facility_type(body: FacilityTypeRequest, uow: Uow) -> ref.FacilityType:
    """Add a facility type (409 if the code is taken)."""
    return await rh.create(uow, ref.FacilityType(uuid4(), **body.model_dump()))


@router.get(TYPES, response_model=Page[FacilityTypeResponse], **requires(MANAGE))
async def list_facility_types(
    repo: Reader, paging: PageQuery, active: bool | None = None, q: SearchText | None = None
) -> dict[str, Any]:
    """Facility types by code, a page at a time (`q` searches code and name)."""
    return await paged(repo, ref.FacilityType, paging, active=active, q=q)


@router.get(TYPE, response_model=FacilityTypeResponse, **requires(MANAGE))
async def get_facility_type(facility_type_id: UUID, repo: Reader) -> ref.FacilityType:
    """One facility type."""
    return await rh.get(repo, ref.FacilityType, facility_type_id)


@router.put(TYPE, response_model=FacilityTypeResponse, **requires(MANAGE))
async def update_facility_type(
    facility_type_id: UUID, body: FacilityTypeRequest, uow: Uow
) -> ref.FacilityType:
    """Replace a facility type's fields."""
    return await rh.update(uow, ref.FacilityType, facility_type_id, **body.model_dump())


@router.post(f"{TYPE}/deactivate", response_model=FacilityTypeResponse, **requires(MANAGE))
async def deactivate_facility_type(facility_type_id: UUID, uow: Uow) -> ref.FacilityType:
    """Mark a facility type inactive."""
    return await rh.deactivate(uow, ref.FacilityType, facility_type_id)


@router.post(ZONES, status_code=201, response_model=ZoneResponse, **requires(MANAGE))
async def create_zone(body: ZoneRequest, uow: Uow) -> ref.GeographicZone:
    """Add a zone under a parent at a lower level (409 if the code is taken)."""
    return await rh.create(uow, ref.GeographicZone(uuid4(), **body.model_dump()))


@router.get(ZONES, response_model=Page[ZoneResponse], **requires(MANAGE))
async def list_zones(
    repo: Reader,
    paging: PageQuery,
    parent_id: UUID | None = None,
    level: ZoneLevel | None = None,
    active: bool | None = None,
    q: SearchText | None = None,
) -> dict[str, Any]:
    """Zones by level then code, a page at a time."""
    criteria = {"parent_id": parent_id, "level": level, "active": active, "q": q}
    return await paged(repo, ref.GeographicZone, paging, **criteria)


@router.get(ZONE, response_model=ZoneResponse, **requires(MANAGE))
async def get_zone(zone_id: UUID, repo: Reader) -> ref.GeographicZone:
    """One zone."""
    return await rh.get(repo, ref.GeographicZone, zone_id)


@router.put(ZONE, response_model=ZoneResponse, **requires(MANAGE))
async def update_zone(zone_id: UUID, body: ZoneRequest, uow: Uow) -> ref.GeographicZone:
    """Replace a zone's fields; its children must stay below it."""
    return await rh.update(uow, ref.GeographicZone, zone_id, **body.model_dump())


@router.post(f"{ZONE}/deactivate", response_model=ZoneResponse, **requires(MANAGE))
async def deactivate_zone(zone_id: UUID, uow: Uow) -> ref.GeographicZone:
    """Mark a zone inactive."""
    return await rh.deactivate(uow, ref.GeographicZone, zone_id)
