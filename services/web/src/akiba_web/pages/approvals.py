"""Central's supervisors' page: requisitions waiting at their nodes, and approved ones to
convert to orders at the facilities they supply."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from akiba_contracts.rights import Right
from akiba_web.host import Host
from akiba_web.pages.common import Done, NotAllowed, SignedIn
from akiba_web.render import render
from akiba_web.session import User

router = APIRouter()
SHOWN = 100


@router.get("/requisitions/approve")
async def approvals(request: Request, user: SignedIn, done: Done = None) -> Response:
    """What waits for the user: approvals at their nodes, releases at their suppliers."""
    host: Host = request.app.state.host
    if not host.central:
        # Approval and release happen centrally: a site's gateway has no such routes.
        return render(request, "error.html", 404, message_key="req.central_only")
    approver = bool(host.authorizer.nodes_of(user.principal, Right.REQUISITION_APPROVE))
    suppliers = user.stores(Right.ORDERS_EDIT)
    if not approver and not suppliers:
        raise NotAllowed(Right.REQUISITION_APPROVE)
    await host.refresh()
    waiting, *to_release = await asyncio.gather(
        _waiting(host, user) if approver else _nothing(),
        *(_approved(host, user, s) for s in suppliers),
    )
    return render(
        request,
        "approvals.html",
        approver=approver,
        waiting=waiting,
        releases=list(zip(suppliers, to_release, strict=True)),
        done=done,
    )


async def _waiting(host: Host, user: User) -> dict[str, Any]:
    found: dict[str, Any] = await host.backend.get(
        "/requisitions/for-approval", user.token, size=SHOWN
    )
    return found


async def _approved(host: Host, user: User, supplier: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await host.backend.get(
        "/requisitions/for-release", user.token, supplying_facility_id=supplier, size=SHOWN
    )
    return found


async def _nothing() -> dict[str, Any]:
    return {"items": [], "total": 0}
