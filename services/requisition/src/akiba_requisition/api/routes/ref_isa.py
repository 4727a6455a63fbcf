"""Ideal stock amounts: IDEAL_STOCK_AMOUNT_EDIT to set them, _VIEW to read them, at the facility."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from akiba_contracts.rights import Right
from akiba_platform.auth import Authorizer, CurrentPrincipal, requires
from akiba_platform.http import PageQuery, Problem
from akiba_requisition.api.deps import Uow
from akiba_requisition.api.reference_schemas import (
    AmountLoadRequest,
    AmountLoadResponse,
    AmountRequest,
    AmountResponse,
    AmountUpdateRequest,
    Page,
)
from akiba_requisition.api.routes.ref_common import IfMatch, Reader, paged, tagged
from akiba_requisition.domain import reference as ref
from akiba_requisition.handlers import reference as rh

router = APIRouter(tags=["ideal stock amounts"])
EDIT, VIEW = Right.IDEAL_STOCK_AMOUNT_EDIT, Right.IDEAL_STOCK_AMOUNT_VIEW
AMOUNTS = "/facilities/{facility_id}/ideal-stock-amounts"
AMOUNT = f"{AMOUNTS}/{{orderable_id}}/{{period_id}}"


@router.post(
    AMOUNTS,
    status_code=201,
    response_model=AmountResponse,
    **requires(EDIT, facility="facility_id"),
)
async def add_amount(
    facility_id: UUID, body: AmountRequest, uow: Uow, response: Response
) -> ref.IdealStockAmount:
    """Set an item's ideal stock amount at the facility for a period (409 if it has one)."""
    record = ref.IdealStockAmount(facility_id, **body.model_dump())
    return tagged(response, await rh.create(uow, record))


@router.get(AMOUNTS, response_model=Page[AmountResponse], **requires(VIEW, facility="facility_id"))
async def list_amounts(
    facility_id: UUID,
    repo: Reader,
    paging: PageQuery,
    orderable_id: UUID | None = None,
    period_id: UUID | None = None,
) -> dict[str, Any]:
    """The facility's ideal stock amounts by item and period, a page at a time."""
    criteria = {"orderable_id": orderable_id, "period_id": period_id}
    return await paged(repo, ref.IdealStockAmount, paging, facility_id=facility_id, **criteria)


@router.get(AMOUNT, response_model=AmountResponse, **requires(VIEW, facility="facility_id"))
async def get_amount(
    facility_id: UUID, orderable_id: UUID, period_id: UUID, repo: Reader, response: Response
) -> ref.IdealStockAmount:
    """One ideal stock amount; its ETag is its version."""
    key = (facility_id, orderable_id, period_id)
    return tagged(response, await rh.get(repo, ref.IdealStockAmount, key))


@router.put(AMOUNT, response_model=AmountResponse, **requires(EDIT, facility="facility_id"))
async def update_amount(
    facility_id: UUID,
    orderable_id: UUID,
    period_id: UUID,
    body: AmountUpdateRequest,
    uow: Uow,
    seen: IfMatch,
    response: Response,
) -> ref.IdealStockAmount:
    """Change an ideal stock amount (If-Match: its version)."""
    key = (facility_id, orderable_id, period_id)
    changed = await rh.update(uow, ref.IdealStockAmount, key, seen, amount=body.amount)
    return tagged(response, changed)


@router.post("/ideal-stock-amounts/bulk", response_model=AmountLoadResponse, **requires(EDIT))
async def load_amounts(
    body: AmountLoadRequest, uow: Uow, request: Request, who: CurrentPrincipal
) -> dict[str, int]:
    """Set many amounts at once, new or changed (a spreadsheet's load): all or nothing, and
    only at facilities where the caller holds IDEAL_STOCK_AMOUNT_EDIT (403 names the others)."""
    authorizer: Authorizer = request.app.state.authorizer
    facilities = dict.fromkeys(row.facility_id for row in body.rows)
    refused = [str(f) for f in facilities if not authorizer.allows(who, EDIT, str(f))]
    if refused:
        at = ", ".join(refused[:20]) + (" …" if len(refused) > 20 else "")
        raise Problem(403, "Forbidden", f"this needs the right {EDIT} at {at}")
    amounts = [ref.IdealStockAmount(**row.model_dump()) for row in body.rows]
    return {"received": len(amounts), "changed": len(await rh.put_amounts(uow, amounts))}
