"""Customer requisitions: the internal orders a store is asked to supply, and its answer to
each (approved quantities, approve, reject with a reason, supply); central only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from akiba_contracts.rights import Right
from akiba_web import forms
from akiba_web.backend import ApiError
from akiba_web.customers import (
    FILTERS,
    STEPS,
    approved_edits,
    chosen_status,
    supplier_abilities,
    supplier_columns,
)
from akiba_web.pages.common import (
    SHOWN_ON_PAGE,
    Done,
    Page,
    SignedIn,
    Status,
    central_only,
    once,
    page_count,
    posted,
    refused,
    store_of,
)
from akiba_web.render import BASE, redirect, render
from akiba_web.requisitions import DECIMALS, TEXTS, if_match
from akiba_web.session import User

router = APIRouter()
PAGE_SIZE = 50


@router.get("/stores/{store_id}/customer-requisitions")
async def customer_requisitions(
    request: Request,
    store_id: UUID,
    user: SignedIn,
    status: Status = None,
    page: Page = 0,
    done: Done = None,
) -> Response:
    """The internal orders this store is asked to supply, newest first."""
    central_only(request.app.state.host)  # a site says so whatever the user's rights there
    host = await store_of(request, user, store_id, Right.ORDERS_VIEW)
    chosen = chosen_status(status)
    found = await host.backend.get(
        "/customer-requisitions", user.token, supplying_facility_id=store_id, status=chosen,
        page=page, size=PAGE_SIZE,
    )  # fmt: skip
    return render(
        request,
        "customer_requisitions.html",
        store_id=store_id,
        rows=found["items"],
        statuses=FILTERS,
        chosen=chosen or "",
        page=page,
        pages=page_count(found["total"], PAGE_SIZE),
        done=done,
    )


@router.get("/customer-requisitions/{requisition_id}")
async def customer_requisition(
    request: Request, requisition_id: UUID, user: SignedIn, done: Done = None
) -> Response:
    """Its lines with the requester's figures, and what this user may answer."""
    return await _page(request, user, requisition_id, None, {}, done)


async def _page(
    request: Request,
    user: User,
    requisition_id: UUID,
    error: Exception | None,
    form: dict[str, Any],
    done: str | None = None,
) -> Response:
    host = central_only(request.app.state.host)
    await host.refresh()
    doc = await host.backend.get(f"/customer-requisitions/{requisition_id}", user.token)
    can = supplier_abilities(doc, user.may(Right.ORDERS_EDIT, doc["supplying_facility_id"]))
    status = _status_of(error)
    return render(
        request,
        "customer_requisition.html",
        status,
        r=doc,
        can=can,
        columns=supplier_columns(doc["lines"], can),
        texts=TEXTS,
        decimals=DECIMALS,
        error=error,
        # After a conflict the page shows the current figures, not what was typed on old ones.
        form={} if status == 409 else form,
        done=done,
    )


@router.post("/customer-requisitions/{requisition_id}/lines")
async def save_lines(request: Request, requisition_id: UUID, user: SignedIn) -> Response:
    """Save the approved quantities and remarks as one new version."""
    host = central_only(request.app.state.host)
    form = await posted(request)
    try:
        edits = approved_edits(form)
        if edits:
            await host.backend.call(
                "PUT", f"/customer-requisitions/{requisition_id}/lines", user.token,
                json={"lines": edits}, headers={**once(form), **if_match(form)},
            )  # fmt: skip
    except (forms.FormError, ApiError) as e:
        return await _refused(request, user, requisition_id, e, form)
    return redirect(request, f"{BASE}/customer-requisitions/{requisition_id}?done=saved")


@router.post("/customer-requisitions/{requisition_id}/{step}")
async def take_step(request: Request, requisition_id: UUID, step: str, user: SignedIn) -> Response:
    """Approve, reject with a reason, or supply, at the page's version."""
    if step not in STEPS:
        return render(request, "error.html", 404, message_key="error.not_found")
    host = central_only(request.app.state.host)
    form = await posted(request)
    try:
        body = {"reason": forms.text(form, "reason", required=True)} if step == "reject" else None
        store = forms.uuid(form, "store_id", required=True)
        await host.backend.call(
            "POST", f"/customer-requisitions/{requisition_id}/{step}", user.token, json=body,
            headers={**once(form), **if_match(form)},
        )  # fmt: skip
    except (forms.FormError, ApiError) as e:
        return await _refused(request, user, requisition_id, e, form)
    if step == "reject":
        # Rejected, it is the requesting store's again: the supplier may no longer open it.
        return redirect(request, f"{BASE}/stores/{store}/customer-requisitions?done=reject")
    return redirect(request, f"{BASE}/customer-requisitions/{requisition_id}?done={step}")


async def _refused(
    request: Request, user: User, rid: UUID, error: Exception, form: dict[str, Any]
) -> Response:
    if isinstance(error, forms.FormError) and error.field in ("version", "key", "store_id", "line"):
        return refused(request)  # not something a form of ours sends
    if isinstance(error, ApiError) and error.status not in SHOWN_ON_PAGE:
        raise error
    return await _page(request, user, rid, error, form)


def _status_of(error: Exception | None) -> int:
    if isinstance(error, ApiError):
        return error.status
    return 422 if error else 200
