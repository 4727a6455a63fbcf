"""Inventory's FastAPI app."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI
from starlette.middleware import Middleware

from akiba_inventory.api.desk import central_desk, desk_of
from akiba_inventory.api.routes import (
    alerts,
    consumption,
    holds,
    ref_facilities,
    ref_orderables,
    ref_reasons,
    ref_stores,
    stock,
)
from akiba_inventory.settings import Settings
from akiba_platform.auth import Authorizer
from akiba_platform.http import central_lifespan
from akiba_platform.http import create_app as platform_app
from akiba_stock import errors
from akiba_stock import reference as ref
from akiba_stock_api import ERRORS as STOCK_ERRORS
from akiba_stock_api import FastLane, goods_routes, movement_routes, stocktake_routes

ERRORS: dict[type[Exception], int] = {
    **STOCK_ERRORS,
    errors.StoreManagedBySite: 409,
    ref.ReferenceNotFound: 404,
    ref.DuplicateReference: 409,
    ref.InvalidReferenceData: 422,
}
REFERENCE_ROUTERS = [
    ref_facilities.router,
    ref_stores.router,
    ref_orderables.router,
    ref_reasons.router,
]


def create_app(
    settings: Settings,
    pool: asyncpg.Pool[Any] | None = None,
    authorizer: Authorizer | None = None,
) -> FastAPI:
    """The API; it opens its own pool and authorizer at start-up unless given them."""

    app = platform_app(
        title="Akiba inventory",
        routers=[
            movement_routes(central_desk),
            goods_routes(central_desk),
            holds.router,
            stock.router,
            consumption.router,
            alerts.router,
            stocktake_routes(central_desk),
            *REFERENCE_ROUTERS,
        ],
        errors=ERRORS,
        lifespan=central_lifespan(settings, pool, authorizer),
    )
    # Appended, so innermost: inside the platform's telemetry and idempotency middleware
    # (a keyed write is claimed before the fast lane records it).
    app.user_middleware.append(Middleware(FastLane, desk_of=desk_of))
    return app
