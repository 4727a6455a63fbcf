"""Orders: the supplier's (ORDERS_VIEW/ORDERS_EDIT) and the requesting store's (PODS_VIEW)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from akiba_contracts.fulfillment_http import (
    CloseRequest,
    OrderRequest,
    OrderResponse,
    Page,
    StatusCounts,
    Timeline,
)
from akiba_contracts.payloads import OrderStatus
from akiba_contracts.rights import Right
from akiba_fulfillment.adapters.orders import OrderCriteria
from akiba_fulfillment.api.deps import Read, Uow
from akiba_fulfillment.api.order_schemas import order_response, timeline_entry
from akiba_fulfillment.domain.orders import Order
from akiba_fulfillment.handlers import orders
from akiba_fulfillment.handlers.orders import NewOrder
from akiba_platform.auth import Caller, requires
from akiba_platform.http import ExpectedVersion, PageQuery, tag

router = APIRouter(tags=["orders"])


def _answer(response: Response, order: Order) -> OrderResponse:
    tag(response, order.version)
    return order_response(order)


@router.post("/orders", status_code=201, **requires(Right.ORDERS_EDIT))
async def create_order(
    body: OrderRequest, uow: Uow, caller: Caller, response: Response
) -> OrderResponse:
    """An order without a requisition, entered at the supplier (ORDERS_EDIT there)."""
    new = NewOrder(
        body.requesting_facility_id,
        body.supplying_facility_id,
        body.program_id,
        body.emergency,
        tuple((ln.orderable_id, ln.packs) for ln in body.lines),
    )
    order = await orders.create(uow, caller, new)
    response.headers["Location"] = f"/orders/{order.order_id}"
    return _answer(response, order)


@router.get("/orders", **requires(Right.ORDERS_VIEW, facility="supplying_facility_id"))
async def list_orders(
    read: Read,
    paging: PageQuery,
    supplying_facility_id: UUID,
    requesting_facility_id: UUID | None = None,
    program_id: UUID | None = None,
    period_id: UUID | None = None,
    status: OrderStatus | None = None,
) -> Page[OrderResponse]:
    """A supplier's orders, newest first, filtered by requester, program, period, status."""
    criteria = OrderCriteria(
        supplying_facility_id, requesting_facility_id, program_id, period_id, status
    )
    found, total = await orders.page(read, criteria, paging.page, paging.size)
    items = [order_response(o) for o in found]
    return Page(items=items, page=paging.page, size=paging.size, total=total)


@router.get("/orders/counts", **requires(Right.ORDERS_VIEW, facility="supplying_facility_id"))
async def count_orders(read: Read, supplying_facility_id: UUID) -> StatusCounts:
    """How many of a supplier's orders are in each status (and back-ordered)."""
    return StatusCounts(counts=await read.orders.counts(OrderCriteria(supplying_facility_id)))


@router.get("/orders/{order_id}", **requires(Right.ORDERS_VIEW))
async def get_order(
    order_id: UUID, read: Read, caller: Caller, response: Response
) -> OrderResponse:
    """One order as its supplier sees it (ORDERS_VIEW there)."""
    return _answer(response, await orders.seen_by(read, caller, order_id, Right.ORDERS_VIEW))


@router.get("/orders/{order_id}/timeline", **requires(Right.ORDERS_VIEW))
async def order_timeline(order_id: UUID, read: Read, caller: Caller) -> Timeline:
    """Every step of an order, oldest first."""
    order = await orders.seen_by(read, caller, order_id, Right.ORDERS_VIEW)
    return await _timeline(read, order)


@router.post("/orders/{order_id}/close", **requires(Right.ORDERS_EDIT))
async def close_order(
    order_id: UUID,
    body: CloseRequest,
    uow: Uow,
    caller: Caller,
    response: Response,
    seen: ExpectedVersion,
) -> OrderResponse:
    """Cancel what is still due (the back-order, or the whole order if nothing shipped)."""
    return _answer(response, await orders.close(uow, caller, order_id, seen, body.reason))


@router.get("/requested-orders", **requires(Right.PODS_VIEW, facility="requesting_facility_id"))
async def list_requested_orders(
    read: Read,
    paging: PageQuery,
    requesting_facility_id: UUID,
    status: OrderStatus | None = None,
) -> Page[OrderResponse]:
    """The orders a store placed, newest first (PODS_VIEW there)."""
    criteria = OrderCriteria(requesting_facility_id=requesting_facility_id, status=status)
    found, total = await orders.page(read, criteria, paging.page, paging.size)
    items = [order_response(o) for o in found]
    return Page(items=items, page=paging.page, size=paging.size, total=total)


@router.get("/requested-orders/{order_id}", **requires(Right.PODS_VIEW))
async def get_requested_order(
    order_id: UUID, read: Read, caller: Caller, response: Response
) -> OrderResponse:
    """One order as the requesting store sees it."""
    return _answer(response, await orders.seen_by(read, caller, order_id, Right.PODS_VIEW))


@router.get("/requested-orders/{order_id}/timeline", **requires(Right.PODS_VIEW))
async def requested_order_timeline(order_id: UUID, read: Read, caller: Caller) -> Timeline:
    """Every step of an order the store placed, oldest first."""
    order = await orders.seen_by(read, caller, order_id, Right.PODS_VIEW)
    return await _timeline(read, order)


async def _timeline(read: Read, order: Order) -> Timeline:
    steps = await read.orders.steps(order.order_id)
    return Timeline(
        order_id=order.order_id,
        requisition_id=order.requisition_id,
        steps=[timeline_entry(s) for s in steps],
    )
