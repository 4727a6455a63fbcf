"""Stock adjustment reasons (STOCK_ADJUSTMENT_REASONS_MANAGE) and those valid at a store."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter

from akiba_contracts.fields import SearchText
from akiba_contracts.rights import Right
from akiba_inventory.api.deps import Uow
from akiba_inventory.api.reference_schemas import Page, ReasonRequest, ReasonResponse
from akiba_inventory.api.routes.ref_common import Reader, paged
from akiba_inventory.handlers import reference as rh
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_stock import reference as ref

router = APIRouter(tags=["reference data"])
MANAGE = Right.STOCK_ADJUSTMENT_REASONS_MANAGE
REASONS, REASON = "/adjustment-reasons", "/adjustment-reasons/{reason_id}"


@router.post(REASONS, status_code=201, response_model=ReasonResponse, **requires(MANAGE))
async def create_reason(body: ReasonRequest, uow: Uow) -> ref.AdjustmentReason:
    """Add a reason (409 if the name is taken)."""
    return await rh.create(uow, ref.AdjustmentReason(uuid4(), **body.model_dump()))


@router.get(REASONS, response_model=Page[ReasonResponse], **requires(MANAGE))
async def list_reasons(
    repo: Reader,
    paging: PageQuery,
    program_id: UUID | None = None,
    facility_type_id: UUID | None = None,
    category: ref.ReasonCategory | None = None,
    direction: ref.ReasonDirection | None = None,
    active: bool | None = None,
    q: SearchText | None = None,
) -> dict[str, Any]:
    """Reasons by name, a page at a time; program and facility type keep those valid there."""
    criteria = {"program_id": program_id, "facility_type_id": facility_type_id, "q": q}
    kinds = {"category": category, "direction": direction, "active": active}
    return await paged(repo, ref.AdjustmentReason, paging, **criteria, **kinds)


@router.get(REASON, response_model=ReasonResponse, **requires(MANAGE))
async def get_reason(reason_id: UUID, repo: Reader) -> ref.AdjustmentReason:
    """One reason."""
    return await rh.get(repo, ref.AdjustmentReason, reason_id)


@router.put(REASON, response_model=ReasonResponse, **requires(MANAGE))
async def update_reason(reason_id: UUID, body: ReasonRequest, uow: Uow) -> ref.AdjustmentReason:
    """Replace a reason's fields."""
    return await rh.update(uow, ref.AdjustmentReason, reason_id, **body.model_dump())


@router.post(f"{REASON}/deactivate", response_model=ReasonResponse, **requires(MANAGE))
async def deactivate_reason(reason_id: UUID, uow: Uow) -> ref.AdjustmentReason:
    """Mark a reason inactive."""
    return await rh.deactivate(uow, ref.AdjustmentReason, reason_id)


@router.get(
    "/stores/{store_id}/adjustment-reasons",
    response_model=list[ReasonResponse],
    **requires(Right.STOCK_CARDS_VIEW, facility="store_id"),
)
async def reasons_at_store(
    store_id: UUID, program_id: UUID, repo: Reader
) -> list[ref.AdjustmentReason]:
    """Active reasons valid for a program at the store's facility type (what apps offer)."""
    return await rh.reasons_at_store(repo, store_id, program_id)
