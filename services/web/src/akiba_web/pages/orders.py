"""A supplier's orders: counts by status, one order's lines, shipments and timeline, a new
shipment of what is due, and closing what will not be shipped (central only)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from akiba_contracts.payloads import OrderStatus
from akiba_contracts.rights import Right
from akiba_web import forms, shipping
from akiba_web.backend import ApiError
from akiba_web.host import Host
from akiba_web.pages.common import (
    NotAllowed,
    Page,
    SignedIn,
    central_only,
    once,
    page_count,
    posted,
    store_of,
)
from akiba_web.render import BASE, redirect, render
from akiba_web.session import User

router = APIRouter()
PAGE_SIZE = 50


@router.get("/stores/{store_id}/orders")
async def orders(
    request: Request,
    store_id: UUID,
    user: SignedIn,
    status: OrderStatus | None = None,
    page: Page = 0,
) -> Response:
    """The orders a store supplies, newest first, with how many are in each status."""
    host = central_only(await store_of(request, user, store_id, Right.ORDERS_VIEW))
    found, counts = await asyncio.gather(
        host.backend.get("/orders", user.token, supplying_facility_id=store_id,
                         status=status, page=page, size=PAGE_SIZE),
        host.backend.get("/orders/counts", user.token, supplying_facility_id=store_id),
    )  # fmt: skip
    return render(
        request,
        "orders.html",
        store_id=store_id,
        orders=found["items"],
        total=found["total"],
        counts=counts["counts"],
        statuses=[s.value for s in OrderStatus],
        chosen=status.value if status else "",
        page=page,
        pages=page_count(found["total"], PAGE_SIZE),
    )


@router.get("/orders/{order_id}")
async def order(request: Request, order_id: UUID, user: SignedIn) -> Response:
    """One order: its lines in packs and units, its shipments, its timeline."""
    return await _order_page(request, user, order_id, {}, None)


@router.post("/orders/{order_id}/shipments")
async def new_shipment(request: Request, order_id: UUID, user: SignedIn) -> Response:
    """A shipment of the packs asked; on to its pick list."""
    host, o = await _order(request, user, order_id)
    _require(user, Right.SHIPMENTS_EDIT, o)
    form = await posted(request)
    try:
        body = {"lines": shipping.shipment_lines(form, o["lines"])}
        made = await host.backend.call(
            "POST", f"/orders/{order_id}/shipments", user.token, json=body, headers=once(form)
        )
    except (forms.FormError, ApiError) as e:
        return await _refused(request, user, order_id, form, e)
    return redirect(request, f"{BASE}/shipments/{made['shipment_id']}")


@router.post("/orders/{order_id}/close")
async def close(request: Request, order_id: UUID, user: SignedIn) -> Response:
    """Cancel what is still due, with a reason."""
    host, o = await _order(request, user, order_id)
    _require(user, Right.ORDERS_EDIT, o)
    form = await posted(request)
    try:
        body = {"reason": forms.text(form, "order_close_reason", required=True)}
        headers = {**shipping.if_match(form), **once(form)}
        await host.backend.call(
            "POST", f"/orders/{order_id}/close", user.token, json=body, headers=headers
        )
    except (forms.FormError, ApiError) as e:
        return await _refused(request, user, order_id, form, e)
    return redirect(request, f"{BASE}/orders/{order_id}?done=closed")


async def _order(request: Request, user: User, order_id: UUID) -> tuple[Host, dict[str, Any]]:
    host = central_only(request.app.state.host)
    found: dict[str, Any] = await host.backend.get(f"/orders/{order_id}", user.token)
    return host, found


def _require(user: User, right: Right, o: dict[str, Any]) -> None:
    if not user.may(right, o["supplying_facility_id"]):
        raise NotAllowed(right)


async def _refused(
    request: Request, user: User, order_id: UUID, form: dict[str, Any], error: Exception
) -> Response:
    if isinstance(error, ApiError) and error.status not in (409, 422):
        raise error
    return await _order_page(request, user, order_id, form, error)


async def _order_page(
    request: Request, user: User, order_id: UUID, form: dict[str, Any], error: Exception | None
) -> Response:
    host, o = await _order(request, user, order_id)
    supplier = o["supplying_facility_id"]
    shipments, timeline = await asyncio.gather(
        _shipments(host, user, order_id, supplier),
        host.backend.get(f"/orders/{order_id}/timeline", user.token),
    )
    return render(
        request,
        "order.html",
        (error.status if isinstance(error, ApiError) else 422) if error else 200,
        store_id=supplier,
        order=o,
        shipments=shipments,
        steps=timeline["steps"],
        may_ship=shipping.due(o) and user.may(Right.SHIPMENTS_EDIT, supplier),
        may_close=shipping.due(o) and user.may(Right.ORDERS_EDIT, supplier),
        remaining_packs=shipping.remaining_packs,
        form=form,
        error=error,
        done=request.query_params.get("done"),
    )


async def _shipments(host: Host, user: User, order_id: UUID, supplier: str) -> list[Any]:
    # An order viewer without SHIPMENTS_VIEW sees the lines and timeline, not the shipments.
    if not user.may(Right.SHIPMENTS_VIEW, supplier):
        return []
    found: list[Any] = await host.backend.get(f"/orders/{order_id}/shipments", user.token)
    return found
