"""A supplier's outbound shipments: the list, one shipment's pick list (lots and locations as
allocated, earliest expiry first), and its steps allocate, pick, ship, cancel (central only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from akiba_contracts.payloads import ShipmentStatus
from akiba_contracts.rights import Right
from akiba_web import forms, shipping
from akiba_web.backend import ApiError
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


@router.get("/stores/{store_id}/shipments")
async def shipments(
    request: Request,
    store_id: UUID,
    user: SignedIn,
    status: ShipmentStatus | None = None,
    page: Page = 0,
) -> Response:
    """The shipments a store sends, newest first (ALLOCATED: waiting to be picked)."""
    host = central_only(await store_of(request, user, store_id, Right.SHIPMENTS_VIEW))
    found = await host.backend.get(
        "/shipments", user.token, supplying_facility_id=store_id, status=status,
        page=page, size=PAGE_SIZE,
    )  # fmt: skip
    return render(
        request,
        "shipments.html",
        store_id=store_id,
        shipments=found["items"],
        total=found["total"],
        statuses=[s.value for s in ShipmentStatus],
        chosen=status.value if status else "",
        page=page,
        pages=page_count(found["total"], PAGE_SIZE),
    )


@router.get("/shipments/{shipment_id}")
async def shipment(request: Request, shipment_id: UUID, user: SignedIn) -> Response:
    """One shipment: its items, its pick list, and the steps the user may take next."""
    s = await _shipment(request, user, shipment_id)
    return _page(request, user, s, {}, None)


@router.post("/shipments/{shipment_id}/{step}")
async def take_step(request: Request, shipment_id: UUID, step: str, user: SignedIn) -> Response:
    """Allocate, pick, ship or cancel, against the version the user saw."""
    if step not in shipping.STEPS:
        return render(request, "error.html", 404, message_key="error.not_found")
    s = await _shipment(request, user, shipment_id)
    if not user.may(Right.SHIPMENTS_EDIT, s["supplying_facility_id"]):
        raise NotAllowed(Right.SHIPMENTS_EDIT)
    form = await posted(request)
    host = request.app.state.host
    try:
        headers = {**shipping.if_match(form), **once(form)}
        await host.backend.call(
            "POST", f"/shipments/{shipment_id}/{step}", user.token, json=_body(step, form),
            headers=headers,
        )  # fmt: skip
    except (forms.FormError, ApiError) as e:
        if isinstance(e, ApiError) and e.status not in (409, 422):
            raise
        return _page(request, user, await _shipment(request, user, shipment_id), form, e)
    return redirect(request, f"{BASE}/shipments/{shipment_id}?done={step}")


def _body(step: str, form: dict[str, Any]) -> dict[str, Any]:
    if step == "ship":
        return {"carrier": forms.text(form, "ship_carrier"), "note": forms.text(form, "ship_note")}
    if step == "cancel":
        return {"reason": forms.text(form, "ship_cancel_reason")}
    return {}


async def _shipment(request: Request, user: User, shipment_id: UUID) -> dict[str, Any]:
    host = central_only(request.app.state.host)
    found: dict[str, Any] = await host.backend.get(f"/shipments/{shipment_id}", user.token)
    return found


def _page(
    request: Request, user: User, s: dict[str, Any], form: dict[str, Any], error: Exception | None
) -> Response:
    may_edit = user.may(Right.SHIPMENTS_EDIT, s["supplying_facility_id"])
    return render(
        request,
        "shipment.html",
        (error.status if isinstance(error, ApiError) else 422) if error else 200,
        store_id=s["supplying_facility_id"],
        s=s,
        steps=shipping.next_steps(s["status"], may_edit),
        waiting=s["status"] == "ALLOCATED" and not all(lot["reserved"] for lot in s["lots"]),
        form=form,
        error=error,
        done=request.query_params.get("done"),
    )
