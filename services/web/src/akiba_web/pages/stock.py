"""A store's stock: on hand with filters, an item's card, and the movements that change it."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from akiba_contracts.rights import Right
from akiba_web import forms
from akiba_web.backend import ApiError
from akiba_web.charts import balance_chart
from akiba_web.host import Host
from akiba_web.pages.common import SignedIn, once, page_count, posted, refused, store_of
from akiba_web.render import BASE, redirect, render
from akiba_web.session import User

router = APIRouter()
PAGE_SIZE = 100
CARD_ROWS = 200
Text = Annotated[str | None, Query(max_length=100)]


@router.get("/stores/{store_id}/stock")
async def stock_on_hand(
    request: Request,
    store_id: UUID,
    user: SignedIn,
    q: Text = None,
    program_id: UUID | None = None,
    lot_code: Text = None,
    location_id: UUID | None = None,
    expiring_before: date | None = None,
    page: Annotated[int, Query(ge=0, le=10_000)] = 0,
    done: Text = None,
) -> Response:
    """Stock on hand of a store, per lot and location, with search and filters."""
    host = await store_of(request, user, store_id, Right.STOCK_CARDS_VIEW)
    filters = {
        "q": q,
        "program_id": program_id,
        "lot_code": lot_code,
        "location_id": location_id,
        "expiring_before": expiring_before,
    }
    answer = await host.backend.get(
        f"/stores/{store_id}/stock-on-hand", user.token, **filters, page=page, size=PAGE_SIZE
    )
    return render(
        request,
        "stock.html",
        store_id=store_id,
        lines=answer["items"],
        total=answer["total"],
        page=page,
        pages=page_count(answer["total"], PAGE_SIZE),
        filters={k: ("" if v is None else str(v)) for k, v in filters.items()},
        may_adjust=user.may(Right.STOCK_ADJUST, store_id),
        may_hold=host.central and user.may(Right.STOCK_ADJUST, store_id),
        done=done,
    )


@router.get("/stores/{store_id}/items/{item_id}/card")
async def stock_card(request: Request, store_id: UUID, item_id: UUID, user: SignedIn) -> Response:
    """An item's ledger with its running balance drawn, its lots, AMC and MOS."""
    host = await store_of(request, user, store_id, Right.STOCK_CARDS_VIEW)
    card_path = f"/stores/{store_id}/items/{item_id}/stock-card"
    first = await host.backend.get(card_path, user.token, size=1)
    last_page = max((first["total"] - 1) // CARD_ROWS, 0)
    card, lots, consumption = await asyncio.gather(
        host.backend.get(card_path, user.token, page=last_page, size=CARD_ROWS),
        host.backend.get(f"/stores/{store_id}/stock-on-hand", user.token, item_id=item_id),
        _consumption(host, user, store_id, item_id),
    )
    rows = card["rows"]
    return render(
        request,
        "card.html",
        store_id=store_id,
        item_id=item_id,
        rows=rows,
        total=card["total"],
        chart=balance_chart([r["balance"] for r in rows]),
        lots=lots["items"],
        consumption=consumption,
    )


async def _consumption(host: Host, user: User, store: UUID, item: UUID) -> dict[str, Any] | None:
    # Both answer; central adjusts AMC for stock-out days, a site does not (it says so).
    try:
        answer: dict[str, Any] = await host.backend.get(
            f"/stores/{store}/items/{item}/consumption", user.token
        )
    except ApiError as e:
        if e.status == 404:
            return None
        raise
    return answer


# Receive, issue, adjust and move: one page each, posted and answered the same way.


@router.get("/stores/{store_id}/movements/{kind}")
async def movement_form(request: Request, store_id: UUID, kind: str, user: SignedIn) -> Response:
    """The form of one movement kind (receive, issue, adjust, move)."""
    if kind not in MOVEMENTS:
        return render(request, "error.html", 404, message_key="error.not_found")
    host = await store_of(request, user, store_id, Right.STOCK_ADJUST)
    return await _form(request, host, user, store_id, kind, {}, None)


@router.post("/stores/{store_id}/movements/{kind}")
async def post_movement(request: Request, store_id: UUID, kind: str, user: SignedIn) -> Response:
    """Record the movement; back to stock on hand, or the form again with what was wrong."""
    if kind not in MOVEMENTS:
        return render(request, "error.html", 404, message_key="error.not_found")
    host = await store_of(request, user, store_id, Right.STOCK_ADJUST)
    form = await posted(request)
    try:
        path, body = MOVEMENTS[kind](store_id, form)
        await host.backend.call("POST", path, user.token, json=body, headers=once(form))
    except (forms.FormError, ApiError) as e:
        return await _form(request, host, user, store_id, kind, form, e)
    return redirect(request, f"{BASE}/stores/{store_id}/stock?done={kind}")


@router.post("/stores/{store_id}/hold")
async def hold(request: Request, store_id: UUID, user: SignedIn) -> Response:
    """Hold a stock line (nothing leaves it) or release it."""
    host = await store_of(request, user, store_id, Right.STOCK_ADJUST)
    form = await posted(request)
    try:
        item, batch, location = forms.stock_line(form, "line")
    except forms.FormError:
        return refused(request)
    body = {
        "item_id": str(item),
        "batch_id": str(batch),
        "location_id": str(location) if location else None,
        "on_hold": form.get("on_hold") == "true",
    }
    await host.backend.call("PUT", f"/stores/{store_id}/stock-lines/hold", user.token, json=body)
    return redirect(request, f"{BASE}/stores/{store_id}/stock?done=hold")


async def _form(
    request: Request,
    host: Host,
    user: User,
    store_id: UUID,
    kind: str,
    form: dict[str, Any],
    error: Exception | None,
) -> Response:
    lines: list[dict[str, Any]] = []
    if kind != "receive":
        answer = await host.backend.get(f"/stores/{store_id}/stock-on-hand", user.token, size=500)
        lines = answer["items"]
    return render(
        request,
        f"move_{kind}.html",
        422 if error else 200,
        store_id=store_id,
        kind=kind,
        lines=lines,
        form=form,
        error=error,
        locations=host.reference.locations_of(store_id),
        reasons=host.reference.active_reasons(),
        items=host.reference.active_items(),
    )


def _receipt(store: UUID, form: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    item = forms.uuid(form, "item_id", required=True)
    location = forms.uuid(form, "location_id")
    expiry = forms.day(form, "expiry_date")
    body = {
        "item_id": str(item),
        "lot_code": forms.text(form, "lot_code", required=True),
        "expiry_date": expiry.isoformat() if expiry else None,
        "quantity": forms.quantity(form, "quantity"),
        "location_id": str(location) if location else None,
        "source": forms.text(form, "source"),
        "reference": forms.text(form, "reference"),
    }
    return f"/stores/{store}/receipts", body


def _line(form: dict[str, Any], reason: UUID | None = None) -> dict[str, Any]:
    item, batch, location = forms.stock_line(form, "line")
    return {
        "item_id": str(item),
        "batch_id": str(batch),
        "location_id": str(location) if location else None,
        "quantity": forms.quantity(form, "quantity"),
        "reason_id": str(reason) if reason else None,
    }


def _issue(store: UUID, form: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    body = {
        "lines": [_line(form)],
        "destination": forms.text(form, "destination"),
        "reference": forms.text(form, "reference"),
    }
    return f"/stores/{store}/issues", body


def _adjustment(store: UUID, form: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    reason = forms.uuid(form, "reason_id", required=True)
    direction = forms.text(form, "direction", required=True)
    if direction not in ("positive", "negative"):
        raise forms.FormError("direction", "form.choose")
    body = {
        "lines": [_line(form, reason)],
        "direction": direction,
        "reference": forms.text(form, "reference"),
    }
    return f"/stores/{store}/adjustments", body


def _move(store: UUID, form: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    item, batch, location = forms.stock_line(form, "line")
    to = forms.uuid(form, "to_location_id")
    body = {
        "item_id": str(item),
        "batch_id": str(batch),
        "from_location_id": str(location) if location else None,
        "to_location_id": str(to) if to else None,
        "quantity": forms.quantity(form, "quantity"),
        "reference": forms.text(form, "reference"),
    }
    return f"/stores/{store}/location-moves", body


MOVEMENTS = {"receive": _receipt, "issue": _issue, "adjust": _adjustment, "move": _move}
