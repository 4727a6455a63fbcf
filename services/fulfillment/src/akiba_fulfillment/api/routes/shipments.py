"""Shipments: outbound at the supplier (SHIPMENTS_VIEW/SHIPMENTS_EDIT), inbound at the
receiver (PODS_VIEW/PODS_MANAGE). Every step takes If-Match."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from akiba_contracts.fulfillment_http import (
    AllocateRequest,
    CancelRequest,
    Page,
    ProofOfDeliveryRequest,
    ShipmentRequest,
    ShipmentResponse,
    ShipmentStatus,
    ShipRequest,
)
from akiba_contracts.rights import Right
from akiba_fulfillment.api.deps import Read, Uow
from akiba_fulfillment.api.order_schemas import receipt_of, shipment_response
from akiba_fulfillment.domain.errors import InvalidReceipt, OrderNotFound
from akiba_fulfillment.domain.shipments import Delivery, Shipment
from akiba_fulfillment.handlers import shipments
from akiba_fulfillment.handlers.shipments import AllocationTerms
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform.auth import Caller, requires
from akiba_platform.http import ExpectedVersion, PageQuery, tag

router = APIRouter(tags=["shipments"])
EDIT, VIEW = Right.SHIPMENTS_EDIT, Right.SHIPMENTS_VIEW


async def _answer(read: FulfillmentUnitOfWork, response: Response, s: Shipment) -> ShipmentResponse:
    tag(response, s.version)
    return shipment_response(s, await read.shipments.skipped(s.shipment_id))


@router.post("/orders/{order_id}/shipments", status_code=201, **requires(EDIT))
async def create_shipment(
    order_id: UUID,
    body: ShipmentRequest,
    uow: Uow,
    read: Read,
    caller: Caller,
    response: Response,
) -> ShipmentResponse:
    """A new shipment of an order: the packs asked, or everything still open."""
    packs = None if body.lines is None else {ln.orderable_id: ln.packs for ln in body.lines}
    if body.lines is not None and len(packs or {}) != len(body.lines):
        raise InvalidReceipt("an item appears on the shipment twice")
    s = await shipments.create(uow, caller, order_id, packs)
    response.headers["Location"] = f"/shipments/{s.shipment_id}"
    return await _answer(read, response, s)


@router.get("/orders/{order_id}/shipments", **requires(VIEW))
async def order_shipments(order_id: UUID, read: Read, caller: Caller) -> list[ShipmentResponse]:
    """An order's shipments, oldest first (SHIPMENTS_VIEW at its supplier)."""
    order = await read.orders.get(order_id)
    if order is None or not caller.allows(VIEW, order.supplying_facility_id, None):
        raise OrderNotFound(f"order {order_id} does not exist")
    return [shipment_response(s) for s in await read.shipments.of_order(order_id)]


@router.get("/shipments", **requires(VIEW, facility="supplying_facility_id"))
async def list_shipments(
    read: Read,
    paging: PageQuery,
    supplying_facility_id: UUID,
    status: ShipmentStatus | None = None,
) -> Page[ShipmentResponse]:
    """A supplier's outbound shipments, newest first (e.g. status=ALLOCATED: to pick)."""
    found, total = await read.shipments.page(
        "supplying_facility_id", supplying_facility_id, status, paging.page, paging.size
    )
    items = [shipment_response(s) for s in found]
    return Page(items=items, page=paging.page, size=paging.size, total=total)


@router.get("/shipments/{shipment_id}", **requires(VIEW))
async def get_shipment(
    shipment_id: UUID, read: Read, caller: Caller, response: Response
) -> ShipmentResponse:
    """One outbound shipment with its pick list (lots, locations, skipped lots and why)."""
    return await _answer(read, response, await shipments.visible(read, caller, shipment_id, VIEW))


@router.post("/shipments/{shipment_id}/allocate", **requires(EDIT))
async def allocate_shipment(
    shipment_id: UUID,
    body: AllocateRequest,
    request: Request,
    uow: Uow,
    read: Read,
    caller: Caller,
    response: Response,
    seen: ExpectedVersion,
) -> ShipmentResponse:
    """Choose lots FEFO (earliest expiry first, whole packs) and reserve them in inventory."""
    settings = request.app.state.settings
    terms = AllocationTerms(
        body.lead_time_days if body.lead_time_days is not None else settings.lead_time_days,
        body.min_shelf_life_days
        if body.min_shelf_life_days is not None
        else settings.min_shelf_life_days,
        body.warning_days if body.warning_days is not None else settings.expiry_warning_days,
    )
    s = await shipments.allocate(uow, caller, shipment_id, seen, terms)
    return await _answer(read, response, s)


@router.post("/shipments/{shipment_id}/pick", **requires(EDIT))
async def pick_shipment(
    shipment_id: UUID,
    uow: Uow,
    read: Read,
    caller: Caller,
    response: Response,
    seen: ExpectedVersion,
) -> ShipmentResponse:
    """Confirm the pick list once inventory reserved it (409 while it has not answered)."""
    return await _answer(read, response, await shipments.pick(uow, caller, shipment_id, seen))


@router.post("/shipments/{shipment_id}/ship", **requires(EDIT))
async def ship_shipment(
    shipment_id: UUID,
    body: ShipRequest,
    uow: Uow,
    read: Read,
    caller: Caller,
    response: Response,
    seen: ExpectedVersion,
) -> ShipmentResponse:
    """The shipment leaves: issued at the supplier, expected at the receiver."""
    s = await shipments.ship(uow, caller, shipment_id, seen, body.carrier, body.note)
    return await _answer(read, response, s)


@router.post("/shipments/{shipment_id}/cancel", **requires(EDIT))
async def cancel_shipment(
    shipment_id: UUID,
    body: CancelRequest,
    uow: Uow,
    read: Read,
    caller: Caller,
    response: Response,
    seen: ExpectedVersion,
) -> ShipmentResponse:
    """Cancel a shipment not yet shipped; its reservations are released."""
    s = await shipments.cancel(uow, caller, shipment_id, seen, body.reason)
    return await _answer(read, response, s)


@router.get("/inbound-shipments", **requires(Right.PODS_VIEW, facility="receiving_facility_id"))
async def list_inbound_shipments(
    read: Read,
    paging: PageQuery,
    receiving_facility_id: UUID,
    status: ShipmentStatus | None = None,
) -> Page[ShipmentResponse]:
    """Shipments coming to a store (status=SHIPPED: on their way), newest first."""
    found, total = await read.shipments.page(
        "receiving_facility_id", receiving_facility_id, status, paging.page, paging.size
    )
    items = [
        shipment_response(s)
        for s in found
        if s.status != ShipmentStatus.CANCELLED or status == ShipmentStatus.CANCELLED
    ]
    return Page(items=items, page=paging.page, size=paging.size, total=total)


@router.get("/inbound-shipments/{shipment_id}", **requires(Right.PODS_VIEW))
async def get_inbound_shipment(
    shipment_id: UUID, read: Read, caller: Caller, response: Response
) -> ShipmentResponse:
    """One shipment coming to the caller's store: shipped and received packs side by side."""
    s = await shipments.visible(read, caller, shipment_id, Right.PODS_VIEW)
    return await _answer(read, response, s)


@router.post("/inbound-shipments/{shipment_id}/proof-of-delivery", **requires(Right.PODS_MANAGE))
async def confirm_proof_of_delivery(
    shipment_id: UUID,
    body: ProofOfDeliveryRequest,
    uow: Uow,
    read: Read,
    caller: Caller,
    response: Response,
    seen: ExpectedVersion,
) -> ShipmentResponse:
    """Confirm receipt: accepted + rejected = shipped per line, a reason per rejection; the
    accepted stock enters the ledger at the locations named."""
    receipts = {ln.line_id: receipt_of(ln) for ln in body.lines}
    if len(receipts) != len(body.lines):
        raise InvalidReceipt("a shipment line appears twice")
    delivery = Delivery(body.delivered_by, body.received_by, body.received_at, body.reference)
    s = await shipments.receive(uow, caller, shipment_id, seen, delivery, receipts)
    return await _answer(read, response, s)
