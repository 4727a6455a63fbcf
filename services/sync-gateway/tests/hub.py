"""A small in-process stand-in for central (auth token + hub push/feed) over real HTTP semantics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads.edge import SiteDocumentType
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import Batch, StockMovement
from akiba_sync_gateway.events import document_event
from akiba_sync_gateway.sync.link import (
    HttpDownlink,
    HttpUplink,
    LinkDown,
    PushTooLarge,
    ReadBacklog,
    SiteTokens,
)
from akiba_sync_gateway.testing import FakeDownlink, FakeHub


def event(site_id: uuid.UUID, store_id: uuid.UUID, sequence: int, lines: int = 1) -> CloudEvent:
    """A receipt document's event with `lines` lines from `sequence`."""
    now = datetime.now(UTC)
    batch = Batch(uuid.uuid4(), uuid.uuid4(), "LOT", None)
    movements = [
        StockMovement(
            uuid.uuid4(), store_id, sequence + i, batch.item_id, batch, None,
            LedgerKind.RECEIPT, 1, now, now, "clerk",
        )
        for i in range(lines)
    ]  # fmt: skip
    return document_event(site_id, SiteDocumentType.RECEIPT, movements, now)


PORTAL_PAGE = b"<html><body>Sign in to use this network</body></html>"


class Central:
    """Auth's token endpoint and the hub's site endpoints, backed by a FakeHub and FakeDownlink.

    With `portal` set, a captive portal stands in front of it: every request, token or push,
    is answered 200 with an HTML page; `answer` replaces every answer's body with its own;
    with `busy` set, a push is answered 503 with it as Retry-After, as a hub at its limit does.
    """

    def __init__(self, hub: FakeHub, feed: FakeDownlink) -> None:
        self.hub, self.feed = hub, feed
        self.valid: set[str] = set()
        self.tokens_issued = 0
        self.portal = False
        self.answer: bytes | None = None
        self.busy: str | None = None  # a Retry-After: pushes are answered 503 with it
        self.pushed_headers: list[dict[str, str]] = []
        self.pulled_headers: list[dict[str, str]] = []
        self.app = FastAPI()
        self.app.middleware("http")(self._in_front)
        self.app.post("/oauth/token")(self.token)
        self.app.post("/sites/{site_id}/events")(self.push)
        self.app.get("/sites/{site_id}/feed")(self.page)
        self.app.get("/sites/{site_id}/credentials")(self.credentials)

    async def _in_front(self, request: Request, call_next: Any) -> Response:
        if self.portal:
            return Response(PORTAL_PAGE, media_type="text/html")
        if self.answer is not None:
            return Response(self.answer, media_type="application/json")
        response: Response = await call_next(request)
        return response

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        if form.get("client_id") != str(self.hub.site_id) or form.get("client_secret") != "s3":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        self.tokens_issued += 1
        token = uuid.uuid4().hex
        self.valid.add(token)
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": 300})

    def _authorized(self, request: Request, site_id: str) -> bool:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return token in self.valid and site_id == str(self.hub.site_id)

    async def push(self, site_id: str, request: Request) -> Response:
        if not self._authorized(request, site_id):
            return Response(status_code=401)
        self.pushed_headers.append(dict(request.headers))
        if self.busy is not None:
            problem = {"title": "Hub busy", "status": 503}
            return JSONResponse(problem, status_code=503, headers={"Retry-After": self.busy})
        try:
            answer = self.hub.push(await request.body())
        except PushTooLarge as exc:
            return JSONResponse({"title": "Push too large", "detail": str(exc)}, status_code=413)
        except LinkDown:
            return Response(status_code=503)
        return Response(answer.model_dump_json(), media_type="application/json")

    async def page(self, site_id: str, request: Request, after: int, limit: int) -> Response:
        if not self._authorized(request, site_id):
            return Response(status_code=401)
        self.pulled_headers.append(dict(request.headers))
        try:
            found = await self.feed.feed(after, limit)
        except LinkDown:
            return Response(status_code=503)
        return Response(found.model_dump_json(), media_type="application/json")

    async def credentials(self, site_id: str, request: Request) -> Response:
        if not self._authorized(request, site_id):
            return Response(status_code=401)
        return Response((await self.feed.credentials()).model_dump_json())

    def links(
        self, backlog: ReadBacklog | None = None
    ) -> tuple[HttpUplink, HttpDownlink, httpx.AsyncClient]:
        """The real HTTP link, talking to this app in-process (reporting `backlog` if given)."""
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app))
        site = self.hub.site_id
        tokens = SiteTokens(client, "http://auth", site, "s3")
        up = HttpUplink(client, tokens, "http://hub", site, backlog)
        down = HttpDownlink(client, tokens, "http://hub", "http://auth", site, backlog)
        return up, down, client
