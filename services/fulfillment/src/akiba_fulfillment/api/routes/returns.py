"""Returns: the store sending received stock back (PODS_VIEW/PODS_MANAGE) and the supplier
receiving it as a customer return (SHIPMENTS_VIEW/SHIPMENTS_EDIT). Every step takes If-Match."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from akiba_contracts.fulfillment_http import (
    CancelRequest,
    ProofOfDeliveryRequest,
    ReturnRequest,
    ShipmentResponse,
    ShipRequest,
)
from akiba_contracts.rights import Right
from akiba_fulfillment.api.deps import Read, Uow
from akiba_fulfillment.api.order_schemas import receipt_of, shipment_response
from akiba_fulfillment.domain.errors import InvalidReceipt
from akiba_fulfillment.domain.shipments import Delivery, Shipment
from akiba_fulfillment.handlers import returns
from akiba_fulfillment.handlers.returns import ReturnLine
from akiba_platform.auth import Caller, requires
from akiba_platform.http import ExpectedVersion, tag

router = APIRouter(tags=["returns"])


def _answer(response: Response, s: Shipment) -> ShipmentResponse:
    tag(response, s.version)
    return shipment_response(s)


@router.post(
    "/inbound-shipments/{shipment_id}/returns", status_code=201, **requires(Right.PODS_MANAGE)
)
async def create_return(
    shipment_id: UUID, body: ReturnRequest, uow: Uow, caller: Caller, response: Response
) -> ShipmentResponse:
    """Send part of a received shipment back, line by line with a reason; inventory reserves
    it where the store put it."""
    lines = {ln.line_id: ReturnLine(ln.quantity, ln.reason, ln.note) for ln in body.lines}
    if len(lines) != len(body.lines):
        raise InvalidReceipt("a shipment line appears twice")
    s = await returns.create(uow, caller, shipment_id, lines)
    response.headers["Location"] = f"/returns/{s.shipment_id}"
    return _answer(response, s)


@router.get("/returns/{return_id}", **requires(Right.PODS_VIEW))
async def get_return(
    return_id: UUID, read: Read, caller: Caller, response: Response
) -> ShipmentResponse:
    """A return as the store sending it sees it."""
    return _answer(response, await returns.visible(read, caller, return_id, Right.PODS_VIEW))


@router.post("/returns/{return_id}/ship", **requires(Right.PODS_MANAGE))
async def ship_return(
    return_id: UUID, body: ShipRequest, uow: Uow, caller: Caller, response: Response,
    seen: ExpectedVersion,
) -> ShipmentResponse:  # fmt: skip
    """The return leaves once inventory reserved it: issued here, expected at the supplier."""
    s = await returns.ship(uow, caller, return_id, seen, body.carrier, body.note)
    return _answer(response, s)


@router.post("/returns/{return_id}/cancel", **requires(Right.PODS_MANAGE))
async def cancel_return(
    return_id: UUID, body: CancelRequest, uow: Uow, caller: Caller, response: Response,
    seen: ExpectedVersion,
) -> ShipmentResponse:  # fmt: skip
    """Cancel a return not yet shipped; its reservation is released."""
    return _answer(response, await returns.cancel(uow, caller, return_id, seen, body.reason))


@router.get("/customer-returns/{return_id}", **requires(Right.SHIPMENTS_VIEW))
async def get_customer_return(
    return_id: UUID, read: Read, caller: Caller, response: Response
) -> ShipmentResponse:
    """A return as the supplier it comes back to sees it."""
    s = await returns.visible(read, caller, return_id, Right.SHIPMENTS_VIEW)
    return _answer(response, s)


@router.post("/customer-returns/{return_id}/receive", **requires(Right.SHIPMENTS_EDIT))
async def receive_customer_return(
    return_id: UUID, body: ProofOfDeliveryRequest, uow: Uow, caller: Caller,
    response: Response, seen: ExpectedVersion,
) -> ShipmentResponse:  # fmt: skip
    """Confirm a customer return: accepted + rejected = returned per line; accepted stock
    enters the supplier's ledger at the locations named."""
    receipts = {ln.line_id: receipt_of(ln) for ln in body.lines}
    if len(receipts) != len(body.lines):
        raise InvalidReceipt("a shipment line appears twice")
    delivery = Delivery(body.delivered_by, body.received_by, body.received_at, body.reference)
    s = await returns.receive(uow, caller, return_id, seen, delivery, receipts)
    return _answer(response, s)
