"""The first screen: critical stock, work waiting, sites' sync; alerts update live."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response, StreamingResponse

from akiba_contracts.payloads.alerts import AlertKind
from akiba_contracts.rights import Right
from akiba_web import work
from akiba_web.backend import ApiError
from akiba_web.host import Host
from akiba_web.pages.common import SignedIn
from akiba_web.render import fragment, render
from akiba_web.session import User

log = logging.getLogger(__name__)
router = APIRouter()
KindFilter = Annotated[AlertKind | None, Query()]
# The dashboard lists this many alerts; the counts by kind cover them all.
SHOWN = 100
# A comment line this often keeps proxies from closing an idle event stream.
KEEPALIVE_SECONDS = 15.0


async def alerts(host: Host, user: User, kind: AlertKind | None) -> dict[str, Any]:
    """The alerts the user may see (of one kind, if given), newest first, with counts by kind."""
    if host.central:
        listed, *totals = await asyncio.gather(
            host.backend.get("/alerts", user.token, kind=kind, size=SHOWN),
            *(host.backend.get("/alerts", user.token, kind=k, size=1) for k in AlertKind),
        )
        counts = {k.value: t["total"] for k, t in zip(AlertKind, totals, strict=True)}
        return {"rows": listed["items"], "total": listed["total"], "counts": counts}
    pages = await asyncio.gather(
        *(host.backend.get(f"/stores/{s}/alerts", user.token, size=500) for s in user.stores())
    )
    every = [a for p in pages for a in p["items"]]
    counts = {k.value: sum(a["kind"] == k.value for a in every) for k in AlertKind}
    chosen = [a for a in every if kind is None or a["kind"] == kind.value]
    chosen.sort(key=lambda a: a["started_at"], reverse=True)
    return {"rows": chosen[:SHOWN], "total": len(chosen), "counts": counts}


async def sync_status(host: Host, user: User) -> list[dict[str, Any]] | None:
    """Each site's sync status, for supervisors and operators centrally (None: not shown)."""
    if not host.central or not (user.may(Right.SITES_MANAGE) or user.stores()):
        return None
    try:
        answer = await host.backend.get("/sites/sync-status", user.token)
    except ApiError as e:
        # Not this user's to see (403), or the hub not answering: the rest of the page stands.
        if e.status != 403:
            log.warning("web: sites' sync status: %s", e)
        return None
    sites = answer["items"] if isinstance(answer, dict) else answer
    return list(sites) or None


@router.get("/")
async def dashboard(request: Request, user: SignedIn, kind: KindFilter = None) -> Response:
    """Critical stock, work waiting for the user and (for supervisors) the sites' sync."""
    host: Host = request.app.state.host
    await host.refresh()
    found, waiting, sites = await asyncio.gather(
        alerts(host, user, kind), work.waiting(host, user), sync_status(host, user)
    )
    return render(
        request,
        "dashboard.html",
        alerts=found,
        kind=kind.value if kind else None,
        kinds=[k.value for k in AlertKind],
        work=waiting,
        sites=sites,
        version=host.changes.version,
    )


@router.get("/fragments/alerts")
async def alert_table(request: Request, user: SignedIn, kind: KindFilter = None) -> Response:
    """The dashboard's alert section alone: what the page swaps in when alerts change."""
    host: Host = request.app.state.host
    await host.refresh()
    found = await alerts(host, user, kind)
    return fragment(
        request,
        "alerts.html",
        alerts=found,
        kind=kind.value if kind else None,
        kinds=[k.value for k in AlertKind],
    )


@router.get("/live")
async def live(request: Request, user: SignedIn, seen: int = -1) -> StreamingResponse:
    """Server-sent events: `alerts` each time an alert starts or ends anywhere."""
    host: Host = request.app.state.host

    async def events() -> AsyncIterator[str]:
        version = host.changes.version if seen < 0 else seen
        yield "retry: 3000\n\n"
        while not await request.is_disconnected():
            now = await host.changes.wait(version, KEEPALIVE_SECONDS)
            if now == version:
                yield ": still here\n\n"
                continue
            version = now
            yield f"event: alerts\ndata: {version}\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
