"""Internal orders: a store asks another store for stock (the requester's side)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_requisition.api.deps import Uow
from akiba_requisition.api.gate import Caller
from akiba_requisition.api.requisition_schemas import InternalOrderRequest, RequisitionResponse
from akiba_requisition.api.routes.requisitions import Version, answer
from akiba_requisition.handlers import initiate as start
from akiba_requisition.handlers import steps

router = APIRouter(tags=["internal orders"])


@router.post(
    "/internal-orders",
    status_code=201,
    response_model=RequisitionResponse,
    **requires(Right.REQUISITION_CREATE),
)
async def create_internal_order(
    body: InternalOrderRequest, uow: Uow, gate: Caller, request: Request, response: Response
) -> RequisitionResponse:
    """Draft an internal order: each line suggests ceil((max MOS - MOS) x AMC) when months of
    stock are at or below the threshold (REQUISITION_CREATE at the requesting store). Edit its
    lines with PUT /requisitions/{id}/lines."""
    doc = await start.create_internal_order(
        uow, gate, body.facility_id, body.supplying_facility_id,
        max_months=body.max_months_of_stock, min_months=body.min_months_of_stock,
        program_id=body.program_id, item_ids=body.item_ids,
        amc_months=request.app.state.settings.amc_months, comment=body.comment,
    )  # fmt: skip
    return answer(doc, response)


@router.post(
    "/internal-orders/{requisition_id}/send",
    response_model=RequisitionResponse,
    **requires(Right.REQUISITION_CREATE),
)
async def send(
    requisition_id: UUID, version: Version, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """Send it to the supplying store, which sees it as a customer requisition."""
    return answer(await steps.send(uow, gate, requisition_id, version), response)
