"""Stocktakes: start one, count on a tablet-friendly list, see variances, finalise."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from akiba_contracts.rights import Right
from akiba_web import forms
from akiba_web.backend import ApiError
from akiba_web.pages.common import Page, SignedIn, once, page_count, posted, store_of
from akiba_web.render import BASE, redirect, render
from akiba_web.session import User

router = APIRouter()
EDIT = Right.STOCK_INVENTORIES_EDIT
# Lines per counting page: a shelf's worth, quick to load and to post on a tablet.
LINES_PER_PAGE = 100


@router.get("/stores/{store_id}/stocktakes")
async def stocktakes(request: Request, store_id: UUID, user: SignedIn) -> Response:
    """The store's stocktakes, newest first, and the form to start one."""
    host = await store_of(request, user, store_id, EDIT)
    found = await host.backend.get(f"/stores/{store_id}/stocktakes", user.token, size=50)
    return render(
        request,
        "stocktakes.html",
        store_id=store_id,
        stocktakes=found["items"],
        locations=host.reference.locations_of(store_id),
        error=None,
    )


@router.post("/stores/{store_id}/stocktakes")
async def start(request: Request, store_id: UUID, user: SignedIn) -> Response:
    """Snapshot the store (or the chosen locations) and open the count list."""
    host = await store_of(request, user, store_id, EDIT)
    form = await posted(request)
    location = forms.uuid(form, "location_id")
    body = {
        "location_ids": [str(location)] if location else [],
        "reference": forms.text(form, "reference"),
    }
    made = await host.backend.call(
        "POST", f"/stores/{store_id}/stocktakes", user.token, json=body, headers=once(form)
    )
    return redirect(request, f"{BASE}/stores/{store_id}/stocktakes/{made['stocktake_id']}")


@router.get("/stores/{store_id}/stocktakes/{stocktake_id}")
async def count_list(
    request: Request, store_id: UUID, stocktake_id: UUID, user: SignedIn, page: Page = 0
) -> Response:
    """One page of the count list: snapshot, count, variance and reason per lot and location."""
    await store_of(request, user, store_id, EDIT)
    return await _count_page(request, user, store_id, stocktake_id, page, None, {})


async def _count_page(
    request: Request,
    user: User,
    store_id: UUID,
    stocktake_id: UUID,
    page: int,
    error: Exception | None,
    form: dict[str, Any],
) -> Response:
    host = request.app.state.host
    detail = await host.backend.get(
        f"/stores/{store_id}/stocktakes/{stocktake_id}", user.token, page=page, size=LINES_PER_PAGE
    )
    return render(
        request,
        "stocktake.html",
        422 if error else 200,
        store_id=store_id,
        st=detail,
        lines=detail["items"],
        page=page,
        pages=page_count(detail["total"], LINES_PER_PAGE),
        reasons=host.reference.active_reasons(),
        error=error,
        form=form,
    )


@router.post("/stores/{store_id}/stocktakes/{stocktake_id}/counts")
async def counts(
    request: Request, store_id: UUID, stocktake_id: UUID, user: SignedIn, page: Page = 0
) -> Response:
    """Save the counts entered on this page (blank ones stay uncounted)."""
    host = await store_of(request, user, store_id, EDIT)
    form = await posted(request)
    try:
        lines = _counted(form)
        if lines:
            await host.backend.call(
                "POST",
                f"/stores/{store_id}/stocktakes/{stocktake_id}/counts",
                user.token,
                json={"lines": lines},
                headers=once(form),
            )
    except (forms.FormError, ApiError) as e:
        return await _count_page(request, user, store_id, stocktake_id, page, e, form)
    return redirect(request, f"{BASE}/stores/{store_id}/stocktakes/{stocktake_id}?page={page}")


@router.post("/stores/{store_id}/stocktakes/{stocktake_id}/finalise")
async def finalise(
    request: Request, store_id: UUID, stocktake_id: UUID, user: SignedIn
) -> Response:
    """Post the variances: stock on hand becomes the counts."""
    host = await store_of(request, user, store_id, EDIT)
    form = await posted(request)
    try:
        await host.backend.call(
            "POST",
            f"/stores/{store_id}/stocktakes/{stocktake_id}/finalise",
            user.token,
            headers=once(form),
        )
    except ApiError as e:
        if e.status not in (409, 422):
            raise
        return await _count_page(request, user, store_id, stocktake_id, 0, e, form)
    return redirect(request, f"{BASE}/stores/{store_id}/stocktakes/{stocktake_id}")


def _counted(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines with a count: fields `count:<item>:<batch>:<location>` and `reason:<same>`."""
    lines = []
    for name in form:
        if not name.startswith("count:") or not str(form[name]).strip():
            continue
        line = name.removeprefix("count:")
        item, batch, location = forms.stock_line({"line": line}, "line")
        reason = forms.uuid(form, f"reason:{line}")
        lines.append(
            {
                "item_id": str(item),
                "batch_id": str(batch),
                "location_id": str(location) if location else None,
                "counted": forms.quantity(form, name, allow_zero=True),
                "reason_id": str(reason) if reason else None,
            }
        )
    return lines
