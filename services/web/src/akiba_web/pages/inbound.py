"""The receiving store's side, centrally and at its site: shipments coming to it, the proof of
delivery that puts them on the shelf, and the orders it placed with their timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from akiba_contracts.payloads import OrderStatus, ShipmentStatus
from akiba_contracts.rights import Right
from akiba_web import forms, receiving, shipping
from akiba_web.backend import ApiError
from akiba_web.host import Host
from akiba_web.pages.common import NotAllowed, Page, SignedIn, once, page_count, posted, store_of
from akiba_web.render import BASE, redirect, render
from akiba_web.session import User

router = APIRouter()
PAGE_SIZE = 50
# The list opens on what is on its way: that is what a storekeeper comes to receive.
ON_ITS_WAY = ShipmentStatus.SHIPPED.value


@router.get("/stores/{store_id}/inbound")
async def inbound(
    request: Request,
    store_id: UUID,
    user: SignedIn,
    status: Annotated[str, Query(max_length=20)] = ON_ITS_WAY,
    page: Page = 0,
) -> Response:
    """Shipments coming to a store (on their way unless another status is asked), newest first."""
    host = await store_of(request, user, store_id, Right.PODS_VIEW)
    # "all" (or anything not a status) lists every shipment.
    chosen = status if status in ShipmentStatus.__members__ else ""
    found = await host.backend.get(
        "/inbound-shipments", user.token, receiving_facility_id=store_id, status=chosen,
        page=page, size=PAGE_SIZE,
    )  # fmt: skip
    return render(
        request,
        "inbound.html",
        store_id=store_id,
        shipments=found["items"],
        total=found["total"],
        statuses=[ON_ITS_WAY, ShipmentStatus.RECEIVED.value],
        chosen=chosen,
        any_status="all",
        page=page,
        pages=page_count(found["total"], PAGE_SIZE),
    )


@router.get("/inbound/{shipment_id}")
async def inbound_shipment(request: Request, shipment_id: UUID, user: SignedIn) -> Response:
    """One shipment coming to the store: shipped and received side by side, and the form."""
    host = request.app.state.host
    await host.refresh()
    s = await host.backend.get(f"/inbound-shipments/{shipment_id}", user.token)
    return _page(request, host, user, s, {}, None)


@router.post("/inbound/{shipment_id}")
async def receive(request: Request, shipment_id: UUID, user: SignedIn) -> Response:
    """Confirm the proof of delivery once; refused input comes back on the form."""
    host: Host = request.app.state.host
    await host.refresh()
    path = f"/inbound-shipments/{shipment_id}"
    s = await host.backend.get(path, user.token)
    if not user.may(Right.PODS_MANAGE, s["receiving_facility_id"]):
        raise NotAllowed(Right.PODS_MANAGE)
    form = await posted(request)
    try:
        body = receiving.proof_of_delivery(form, s["lots"])
        headers = {**shipping.if_match(form), **once(form)}
        await host.backend.call(
            "POST", f"{path}/proof-of-delivery", user.token, json=body, headers=headers
        )
    except (forms.FormError, ApiError) as e:
        if isinstance(e, ApiError) and e.status not in (409, 422):
            raise
        return _page(request, host, user, await host.backend.get(path, user.token), form, e)
    return redirect(request, f"{BASE}/inbound/{shipment_id}?done=received")


def _page(
    request: Request,
    host: Host,
    user: User,
    s: dict[str, Any],
    form: dict[str, Any],
    error: Exception | None,
) -> Response:
    store = UUID(s["receiving_facility_id"])
    return render(
        request,
        "inbound_shipment.html",
        (error.status if isinstance(error, ApiError) else 422) if error else 200,
        store_id=store,
        s=s,
        may_receive=s["status"] == ON_ITS_WAY and user.may(Right.PODS_MANAGE, store),
        locations=host.reference.locations_of(store),
        reasons=receiving.REASONS,
        vvm_stages=receiving.VVM_STAGES,
        opened_at=datetime.now(UTC).isoformat(),
        form=form,
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/stores/{store_id}/requested-orders")
async def requested_orders(
    request: Request,
    store_id: UUID,
    user: SignedIn,
    status: OrderStatus | None = None,
    page: Page = 0,
) -> Response:
    """The orders a store placed, newest first, and where each stands."""
    host = await store_of(request, user, store_id, Right.PODS_VIEW)
    found = await host.backend.get(
        "/requested-orders", user.token, requesting_facility_id=store_id, status=status,
        page=page, size=PAGE_SIZE,
    )  # fmt: skip
    return render(
        request,
        "requested_orders.html",
        store_id=store_id,
        orders=found["items"],
        total=found["total"],
        statuses=[s.value for s in OrderStatus],
        chosen=status.value if status else "",
        page=page,
        pages=page_count(found["total"], PAGE_SIZE),
    )


@router.get("/requested-orders/{order_id}")
async def requested_order(request: Request, order_id: UUID, user: SignedIn) -> Response:
    """One order the store placed: its lines and, centrally, its timeline."""
    host: Host = request.app.state.host
    await host.refresh()
    o = await host.backend.get(f"/requested-orders/{order_id}", user.token)
    # A site keeps each order's latest state, not its history: the timeline is central's.
    timeline = (
        await host.backend.get(f"/requested-orders/{order_id}/timeline", user.token)
        if host.central
        else None
    )
    return render(
        request,
        "requested_order.html",
        store_id=UUID(o["requesting_facility_id"]),
        order=o,
        steps=timeline["steps"] if timeline else None,
    )
