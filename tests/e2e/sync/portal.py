"""An HTTP proxy in front of one of central's services that a test switches: passing requests
on, answering everything as a captive portal would, or refusing bodies over a size (413).

It serves from its own thread and event loop, as TcpProxy does, so a test that blocks never
stalls the traffic it relays.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.e2e.sync.harness import free_port

PORTAL_PAGE = b"<html><body><form>Sign in to use this network</form></body></html>"
TOO_LARGE_PAGE = b"<html><body><h1>413 Request Entity Too Large</h1></body></html>"
HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "content-encoding"}


class LinkProxy:
    """Relays to `target` (http://host:port) unless `portal` is set or a body is over `max_body`."""

    def __init__(self, target: str, *, max_body: int | None = None) -> None:
        self.target = target.rstrip("/")
        self.portal = False
        self.max_body = max_body
        self.answered = {"portal": 0, "too_large": 0, "relayed": 0}
        self.port = free_port()
        self._client: httpx.AsyncClient | None = None
        app = Starlette(
            routes=[Route("/{path:path}", self._handle, methods=["GET", "POST", "PUT"])],
            lifespan=self._lifespan,
        )
        config = uvicorn.Config(app, "127.0.0.1", self.port, log_config=None, access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        """Where the gateway should send what was meant for the target."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LinkProxy:
        """Serve from its own thread; return once it listens."""
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                return self
            self._thread.join(0.01)
        raise RuntimeError("the link proxy did not start")

    def stop(self) -> None:
        """Stop serving."""
        self._server.should_exit = True
        self._thread.join(10)

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=30) as client:
            self._client = client
            yield

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        if self.portal:
            self.answered["portal"] += 1
            return Response(PORTAL_PAGE, media_type="text/html")
        if self.max_body is not None and len(body) > self.max_body:
            self.answered["too_large"] += 1
            return Response(TOO_LARGE_PAGE, status_code=413, media_type="text/html")
        assert self._client is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        r = await self._client.request(
            request.method, f"{self.target}{request.url.path}",
            params=request.query_params, content=body, headers=headers,
        )  # fmt: skip
        self.answered["relayed"] += 1
        back = {k: v for k, v in r.headers.items() if k.lower() not in HOP_BY_HOP}
        return Response(r.content, status_code=r.status_code, headers=back)
