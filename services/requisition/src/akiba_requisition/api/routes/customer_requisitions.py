"""Customer requisitions: internal orders as the supplying store sees and answers them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_replenish import RequisitionStatus
from akiba_requisition import views
from akiba_requisition.api.deps import Pool, Uow
from akiba_requisition.api.gate import Caller
from akiba_requisition.api.requisition_schemas import (
    LinesRequest,
    RejectRequest,
    RequisitionPage,
    RequisitionResponse,
    edit_of,
)
from akiba_requisition.api.routes.requisitions import Version, answer
from akiba_requisition.domain.access import Forbidden, at_supplier
from akiba_requisition.handlers import steps

router = APIRouter(tags=["customer requisitions"])
ONE = "/customer-requisitions/{requisition_id}"
# A draft or a rejected order is its requesting store's: the supplier lists only what was sent
# to it, the same ones it may open.
SENT = tuple(s for s in RequisitionStatus if s.rank >= 3)


@router.get(
    "/customer-requisitions",
    response_model=RequisitionPage,
    **requires(Right.ORDERS_VIEW, facility="supplying_facility_id"),
)
async def list_customer_requisitions(
    supplying_facility_id: UUID,
    pool: Pool,
    paging: PageQuery,
    status: RequisitionStatus | None = None,
) -> dict[str, Any]:
    """Internal orders sent to this store, newest first (ORDERS_VIEW there)."""
    shown = SENT if status is None else tuple(s for s in (status,) if s in SENT)
    if not shown:
        return {"items": [], "page": paging.page, "size": paging.size, "total": 0}
    criteria = views.Criteria(supplier=supplying_facility_id, statuses=shown, internal=True)
    return await views.page(pool, criteria, paging)


@router.get(ONE, response_model=RequisitionResponse, **requires(Right.ORDERS_VIEW))
async def get_customer_requisition(
    requisition_id: UUID, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """One customer requisition (ORDERS_VIEW at its supplying store)."""
    async with uow:
        doc = await steps.load(uow, requisition_id)
    if not doc.requisition.internal or doc.requisition.status.rank < 3:
        raise Forbidden("only internal orders sent to a store are its customer requisitions")
    at_supplier(gate, Right.ORDERS_VIEW, doc)
    return answer(doc, response)


@router.put(f"{ONE}/lines", response_model=RequisitionResponse, **requires(Right.ORDERS_EDIT))
async def edit_customer_lines(
    requisition_id: UUID, body: LinesRequest, version: Version, uow: Uow, gate: Caller,
    response: Response,
) -> RequisitionResponse:  # fmt: skip
    """Set the quantities the supplier approves (ORDERS_EDIT at the supplying store)."""
    edits = [edit_of(line) for line in body.lines]
    return answer(await steps.edit(uow, gate, requisition_id, version, edits), response)


@router.post(f"{ONE}/approve", response_model=RequisitionResponse, **requires(Right.ORDERS_EDIT))
async def approve_customer_requisition(
    requisition_id: UUID, version: Version, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """Accept it with the approved quantities (ORDERS_EDIT at the supplying store)."""
    return answer(await steps.accept(uow, gate, requisition_id, version), response)


@router.post(f"{ONE}/reject", response_model=RequisitionResponse, **requires(Right.ORDERS_EDIT))
async def reject_customer_requisition(
    requisition_id: UUID, body: RejectRequest, version: Version, uow: Uow, gate: Caller,
    response: Response,
) -> RequisitionResponse:  # fmt: skip
    """Send it back to the requesting store with a reason."""
    doc = await steps.reject(uow, gate, requisition_id, version, body.reason)
    return answer(doc, response)


@router.post(f"{ONE}/supply", response_model=RequisitionResponse, **requires(Right.ORDERS_EDIT))
async def supply(
    requisition_id: UUID, version: Version, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """Release it as an order to supply from this store (ORDERS_EDIT there)."""
    return answer(await steps.release(uow, gate, requisition_id, version, None), response)
