"""Orders the site's stores placed and the shipments coming to them: the receiver's side of
fulfillment's routes (same paths, models and rights), read and received here, offline or not."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from akiba_contracts.fulfillment_http import (
    OrderResponse,
    Page,
    ProofOfDeliveryRequest,
    ShipmentResponse,
)
from akiba_contracts.payloads import OrderStatus, ShipmentStatus
from akiba_contracts.rights import Right
from akiba_platform.auth import Caller, requires
from akiba_platform.http import ExpectedVersion, PageQuery, tag
from akiba_sync_gateway.api.deps import Db
from akiba_sync_gateway.shipments import receiving, store
from akiba_sync_gateway.shipments.store import InboundNotFound

router = APIRouter(tags=["shipments"])
VIEW, MANAGE = Right.PODS_VIEW, Right.PODS_MANAGE


async def _receiver(request: Request, who: Caller) -> receiving.Receiver:
    state = request.app.state
    return receiving.Receiver(state.site_id, who, state.clock())


Receiver = Annotated[receiving.Receiver, Depends(_receiver)]


@router.get("/requested-orders", **requires(VIEW, facility="requesting_facility_id"))
async def list_requested_orders(
    db: Db, paging: PageQuery, requesting_facility_id: UUID, status: OrderStatus | None = None
) -> Page[OrderResponse]:
    """The orders a store of the site placed, newest first (PODS_VIEW there)."""
    found, total = await db.read(
        lambda c: store.orders(c, requesting_facility_id, status, paging.page, paging.size)
    )
    return Page(items=found, page=paging.page, size=paging.size, total=total)


@router.get("/requested-orders/{order_id}", **requires(VIEW))
async def get_requested_order(
    order_id: UUID, db: Db, caller: Caller, response: Response
) -> OrderResponse:
    """One order as the requesting store sees it, as of the site's last sync."""
    o = await db.read(lambda c: store.order(c, order_id))
    if o is None or not caller.allows(VIEW, o.requesting_facility_id, None):
        raise InboundNotFound(f"order {order_id} does not exist")
    tag(response, o.version)
    return o


@router.get("/inbound-shipments", **requires(VIEW, facility="receiving_facility_id"))
async def list_inbound_shipments(
    db: Db, paging: PageQuery, receiving_facility_id: UUID, status: ShipmentStatus | None = None
) -> Page[ShipmentResponse]:
    """Shipments coming to a store of the site (status=SHIPPED: on their way), newest first."""
    found, total = await db.read(
        lambda c: store.shipments(c, receiving_facility_id, status, paging.page, paging.size)
    )
    return Page(items=found, page=paging.page, size=paging.size, total=total)


@router.get("/inbound-shipments/{shipment_id}", **requires(VIEW))
async def get_inbound_shipment(
    shipment_id: UUID, db: Db, caller: Caller, response: Response
) -> ShipmentResponse:
    """One shipment coming to the caller's store: shipped and received packs side by side."""
    s = await db.read(lambda c: receiving.visible(c, caller, shipment_id))
    tag(response, s.doc.version)
    return s.doc


@router.post("/inbound-shipments/{shipment_id}/proof-of-delivery", **requires(MANAGE))
async def confirm_proof_of_delivery(
    shipment_id: UUID,
    body: ProofOfDeliveryRequest,
    db: Db,
    who: Receiver,
    response: Response,
    seen: ExpectedVersion,
) -> ShipmentResponse:
    """Confirm receipt here, offline or not: accepted + rejected = shipped per line, a reason per
    rejection; the accepted stock enters the site's ledger at the locations named."""
    s = await db.write(lambda c: receiving.confirm(c, who, shipment_id, seen, body))
    tag(response, s.version)
    return s
