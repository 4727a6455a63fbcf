"""The gateway's local FastAPI app: the site's apps talk to it, online or not."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from fastapi import FastAPI
from starlette.middleware import Middleware

from akiba_platform import idempotency
from akiba_platform.auth import Authorizer
from akiba_platform.http import create_app as platform_app
from akiba_replenish import ExplanationRequired, RequisitionError, StaleVersion, WrongStatus
from akiba_replenish.access import Forbidden
from akiba_replenish.receipts import ReceiptError
from akiba_stock_api import ERRORS as STOCK_ERRORS
from akiba_stock_api import FastLane, goods_routes, movement_routes, stocktake_routes
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.idempotency import SqliteIdempotencyStore
from akiba_sync_gateway.adapters.store import StoreNotReady
from akiba_sync_gateway.api.deps import utcnow
from akiba_sync_gateway.api.desk import desk_of, site_desk
from akiba_sync_gateway.api.routes import alerts, requisitions, shipments, signin, stock, sync
from akiba_sync_gateway.requisitions.catalogue import NotKnownHere
from akiba_sync_gateway.requisitions.store import AlreadyInitiated, RequisitionNotFound
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.shipments.store import InboundNotFound
from akiba_sync_gateway.signin.authority import LocalAuthority, open_authority
from akiba_sync_gateway.signin.flow import SignIn
from akiba_sync_gateway.signin.limits import Limits
from akiba_sync_gateway.web import serving_pages
from akiba_web.app import create_web
from akiba_web.render import BASE

ERRORS: dict[type[Exception], int] = {
    **STOCK_ERRORS,
    StoreNotReady: 409,
    # Requisitions: the requisition service's statuses for the same refusals.
    RequisitionNotFound: 404,
    AlreadyInitiated: 409,
    StaleVersion: 409,
    WrongStatus: 409,
    Forbidden: 403,
    NotKnownHere: 422,
    ExplanationRequired: 422,
    RequisitionError: 422,
    # Inbound shipments: fulfillment's statuses for the same refusals.
    InboundNotFound: 404,
    ReceiptError: 422,
    # SQLite's INTEGER is 64-bit: a number beyond it that the contract missed is the client's.
    OverflowError: 422,
}


def create_app(
    settings: Settings,
    db: Database | None = None,
    authorizer: Authorizer | None = None,
    clock: Callable[[], datetime] = utcnow,
    authority: LocalAuthority | None = None,
) -> FastAPI:
    """The local API; it opens the site's database at start-up unless given one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = db or Database(settings.database_path)
        try:
            local = authority or await open_authority(database, settings, clock)
            app.state.db, app.state.site_id, app.state.clock = database, settings.site_id, clock
            app.state.authority = local
            app.state.amc_months = settings.amc_months
            refresh = timedelta(days=settings.refresh_token_days)
            app.state.signin = SignIn(database, local, _limits(settings), clock, refresh)
            app.state.authorizer = authorizer or local.authorizer
            # Answers are stored in the background: one rides in the writer's next group
            # commit, so a keyed receipt is acknowledged after one fsync, as one without a key.
            # Should the gateway stop before that commit, a retry hears that the receipt was
            # recorded once (409), never records it again.
            store = SqliteIdempotencyStore(database)
            async with (
                idempotency.keeping(app, store, settings, background=True),
                serving_pages(pages, app, database),
            ):
                yield
        finally:
            if db is None:
                database.close()

    pages = create_web()
    app = platform_app(
        title="Akiba sync-gateway",
        routers=[
            movement_routes(site_desk),
            goods_routes(site_desk),
            stock.router,
            stocktake_routes(site_desk),
            alerts.router,
            requisitions.router,
            shipments.router,
            signin.router,
            sync.router,
        ],
        errors=ERRORS,
        lifespan=lifespan,
    )
    # Appended, so innermost: inside the platform's telemetry (request ids, spans) and its
    # idempotency middleware (the fast lane's write claims the request's key).
    app.user_middleware.append(Middleware(FastLane, desk_of=desk_of))
    # The site's web app: the same pages as central's, on this API, working with no link.
    app.mount(BASE, pages)
    return app


def _limits(settings: Settings) -> Limits:
    return Limits(
        settings.login_failures_per_user,
        settings.login_failures_per_address,
        timedelta(seconds=settings.login_window_seconds),
    )
