"""The web app: the same pages centrally (`akiba_web.central`) and in every site's gateway."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from akiba_web.backend import ApiError, Unreachable
from akiba_web.pages import (
    account,
    approvals,
    customer_requisitions,
    dashboard,
    inbound,
    orders,
    requisitions,
    shipments,
    stock,
    stocktakes,
)
from akiba_web.pages.common import NotAllowed
from akiba_web.render import BASE, redirect, render
from akiba_web.session import BadCsrf, SignedOut, forget_tokens

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def create_web() -> FastAPI:
    """The pages, to mount at /app; the host (`app.state.host`) is set by whoever serves them."""
    app = FastAPI(title="Akiba web", docs_url=None, redoc_url=None, openapi_url=None)
    # Pages and assets travel compressed: a tablet on 2G pays for every byte.
    app.add_middleware(GZipMiddleware, minimum_size=800)
    # Specific paths before general ones: approvals before `/requisitions/{id}`, every
    # store page before stock's `/stores/{id}/movements/…`.
    pages_in_order = (account, dashboard, approvals, requisitions, customer_requisitions, orders,
                      shipments, inbound, stocktakes, stock)  # fmt: skip
    for pages in pages_in_order:
        app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, _: Exception) -> Response:
        target = request.url.path if request.method == "GET" else f"{BASE}/"
        return redirect(request, f"{BASE}/sign-in?next={quote(target)}")

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, _: Exception) -> Response:
        return render(request, "error.html", 403, message_key="error.forbidden")

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, _: Exception) -> Response:
        return render(request, "error.html", 403, message_key="error.csrf")

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        if exc.status == 401:
            forget_tokens(request)
            return redirect(request, f"{BASE}/sign-in?next={quote(request.url.path)}")
        if isinstance(exc, Unreachable):
            log.warning("web: %s", exc)
        return render(request, "error.html", _shown(exc.status), problem=exc)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        # Ours, not the user's: logged with its trace, and a page in their language anyway.
        log.error("web: %s %s failed", request.method, request.url.path, exc_info=exc)
        return render(request, "error.html", 500, message_key="error.other")

    return app


def _shown(status: int) -> int:
    # The page answers as the API did, except that a service's failure is a gateway's (502).
    return 502 if status >= 500 and status != 503 else status
