"""Requisitions: a store's list, initiating one, its lines and columns, and each step."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from akiba_contracts.rights import Right
from akiba_web import forms
from akiba_web.backend import ApiError
from akiba_web.host import Host
from akiba_web.pages.common import (
    SHOWN_ON_PAGE,
    Done,
    Page,
    SignedIn,
    Status,
    once,
    page_count,
    posted,
    refused,
    store_of,
)
from akiba_web.render import BASE, redirect, render
from akiba_web.requisitions import (
    DECIMALS,
    STATUSES,
    STEPS,
    TEXTS,
    abilities,
    if_match,
    line_edits,
    shown_columns,
)
from akiba_web.session import User

router = APIRouter()
PAGE_SIZE = 50


class UserRights:
    """The signed-in user's rights, asked the way the requisition steps check them."""

    def __init__(self, user: User) -> None:
        self._user = user

    def allows(self, right: Right, facility: str | None, program: str | None) -> bool:
        """Whether the right is held at the facility (for the program, when given)."""
        u = self._user
        return u.host.authorizer.allows(u.principal, right, facility, program)

    def allows_at_node(self, right: Right, node: UUID, program: UUID) -> bool:
        """Whether the supervision right is held at this very node for the program."""
        u = self._user
        return u.host.authorizer.allows_at_node(u.principal, right, node, program)

    def programs(self, right: Right, store: UUID) -> list[UUID]:
        """The programs the right is held for at the store, by name (no limit: every known)."""
        u = self._user
        held = u.host.authorizer.programs_at(u.principal, right, str(store))
        ids = set(u.host.reference.programs) if held is None else set(held)
        return sorted(ids, key=lambda p: u.host.reference.programs.get(p, str(p)).lower())


# A store's requisitions.


@router.get("/stores/{store_id}/requisitions")
async def store_requisitions(
    request: Request,
    store_id: UUID,
    user: SignedIn,
    program_id: UUID | None = None,
    status: Status = None,
    page: Page = 0,
    done: Done = None,
) -> Response:
    """The store's requisitions, newest first, and the forms to start one."""
    host = await store_of(request, user, store_id, Right.REQUISITION_VIEW)
    return await _list(request, host, user, store_id, program_id, status, page, None, done)


async def _list(
    request: Request,
    host: Host,
    user: User,
    store_id: UUID,
    program_id: UUID | None,
    status: str | None,
    page: int,
    error: Exception | None,
    done: str | None = None,
) -> Response:
    status = status if status in STATUSES else None
    rights = UserRights(user)
    found, periods = await asyncio.gather(
        host.backend.get("/requisitions", user.token, facility_id=store_id,
                         program_id=program_id, status=status, page=page, size=PAGE_SIZE),
        _open_periods(host, user, store_id, rights.programs(Right.REQUISITION_CREATE, store_id)),
    )  # fmt: skip
    may_create = user.may(Right.REQUISITION_CREATE, store_id)
    suppliers = [s for s in host.reference.stores.values() if s.active and s.store_id != store_id]
    return render(
        request,
        "requisitions.html",
        _status_of(error),
        store_id=store_id,
        requisitions=found["items"],
        total=found["total"],
        page=page,
        pages=page_count(found["total"], PAGE_SIZE),
        programs=rights.programs(Right.REQUISITION_VIEW, store_id),
        statuses=STATUSES,
        filters={"program_id": str(program_id or ""), "status": status or ""},
        periods=periods,
        may_create=may_create,
        suppliers=sorted(suppliers, key=lambda s: s.name.lower()) if may_create else [],
        error=error,
        form={},
        done=done,
    )


async def _open_periods(
    host: Host, user: User, store: UUID, programs: list[UUID]
) -> list[tuple[UUID, dict[str, Any] | None]]:
    """Each program the user may initiate for, with its open regular period (None: none)."""

    async def one(program: UUID) -> tuple[UUID, dict[str, Any] | None]:
        try:
            answer = await host.backend.get(
                "/requisitions/periods", user.token, facility_id=store, program_id=program
            )
        except ApiError as e:
            # A program without a schedule for this store has nothing to initiate: say so.
            if e.status not in (403, 404, 409, 422):
                raise
            return program, None
        return program, answer.get("regular")

    return list(await asyncio.gather(*(one(p) for p in programs)))


@router.post("/stores/{store_id}/requisitions")
async def initiate(request: Request, store_id: UUID, user: SignedIn) -> Response:
    """Start the program's requisition for its open period, or draft an internal order."""
    host = await store_of(request, user, store_id, Right.REQUISITION_CREATE)
    form = await posted(request)
    try:
        path, body = _initiation(store_id, form)
        made = await host.backend.call("POST", path, user.token, json=body, headers=once(form))
    except (forms.FormError, ApiError) as e:
        if isinstance(e, ApiError) and e.status not in SHOWN_ON_PAGE:
            raise
        return await _list(request, host, user, store_id, None, None, 0, e)
    return redirect(request, f"{BASE}/requisitions/{made['requisition_id']}")


def _initiation(store: UUID, form: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if form.get("what") == "internal":
        supplier = forms.uuid(form, "supplying_facility_id", required=True)
        body = {
            "facility_id": str(store),
            "supplying_facility_id": str(supplier),
            "comment": forms.text(form, "comment"),
        }
        return "/internal-orders", body
    program = forms.uuid(form, "program_id", required=True)
    return "/requisitions/initiate", {"facility_id": str(store), "program_id": str(program)}


# One requisition: its lines, edits and steps.


@router.get("/requisitions/{requisition_id}")
async def requisition(
    request: Request, requisition_id: UUID, user: SignedIn, done: Done = None
) -> Response:
    """The requisition with every line's columns, the inputs and steps this user may use."""
    return await _page(request, user, requisition_id, None, {}, done)


async def _page(
    request: Request,
    user: User,
    requisition_id: UUID,
    error: Exception | None,
    form: dict[str, Any],
    done: str | None = None,
) -> Response:
    host: Host = request.app.state.host
    await host.refresh()
    doc = await host.backend.get(f"/requisitions/{requisition_id}", user.token)
    can = abilities(doc, UserRights(user), host.central)
    return render(
        request,
        "requisition.html",
        _status_of(error),
        r=doc,
        can=can,
        columns=shown_columns(doc["lines"], can),
        texts=TEXTS,
        decimals=DECIMALS,
        error=error,
        # After a conflict the page shows the current figures, not what was typed on old ones.
        form={} if _status_of(error) == 409 else form,
        done=done,
    )


@router.post("/requisitions/{requisition_id}/lines")
async def save_lines(request: Request, requisition_id: UUID, user: SignedIn) -> Response:
    """Save the quantities typed on the page as one new version of the requisition."""
    host: Host = request.app.state.host
    form = await posted(request)
    try:
        edits = line_edits(form)
        if edits:
            await host.backend.call(
                "PUT", f"/requisitions/{requisition_id}/lines", user.token,
                json={"lines": edits}, headers={**once(form), **if_match(form)},
            )  # fmt: skip
    except (forms.FormError, ApiError) as e:
        return await _refused(request, user, requisition_id, e, form)
    return redirect(request, f"{BASE}/requisitions/{requisition_id}?done=saved")


@router.post("/requisitions/{requisition_id}/{step}")
async def take_step(request: Request, requisition_id: UUID, step: str, user: SignedIn) -> Response:
    """Submit, authorize, approve, reject, skip, send, release or delete, at the page's version."""
    if step not in STEPS:
        return render(request, "error.html", 404, message_key="error.not_found")
    host: Host = request.app.state.host
    form = await posted(request)
    method, path = STEPS[step]
    try:
        body = _step_body(step, form)
        store = forms.uuid(form, "store_id", required=True)
        headers = {**once(form), **if_match(form)}
        answer = await host.backend.call(
            method, path.format(id=requisition_id), user.token, json=body, headers=headers
        )
    except (forms.FormError, ApiError) as e:
        return await _refused(request, user, requisition_id, e, form)
    if step == "delete":
        return redirect(request, f"{BASE}/stores/{store}/requisitions?done=delete")
    if form.get("back") == "approvals":
        return redirect(request, f"{BASE}/requisitions/approve?done={step}")
    return redirect(request, f"{BASE}/requisitions/{answer['requisition_id']}?done={step}")


def _step_body(step: str, form: dict[str, Any]) -> dict[str, Any] | None:
    if step == "reject":
        return {"reason": forms.text(form, "reason", required=True)}
    if step == "release":
        supplier = forms.uuid(form, "supplying_facility_id")
        return {"supplying_facility_id": str(supplier) if supplier else None}
    return None


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
