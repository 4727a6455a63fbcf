"""Inventory's FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI

from akiba_inventory.api.routes import (
    alerts,
    consumption,
    movements,
    receipts,
    ref_facilities,
    ref_orderables,
    ref_reasons,
    ref_stores,
    stock,
    stocktakes,
)
from akiba_inventory.settings import Settings
from akiba_platform import idempotency, open_pool
from akiba_platform.auth import Authorizer, local_authorizer
from akiba_platform.http import create_app as platform_app
from akiba_platform.http import database_probe, kafka_probe
from akiba_stock import errors
from akiba_stock import reference as ref
from akiba_stock.ledger import InsufficientStock
from akiba_stock.stocktake import StocktakeError, StocktakeFinalised, StocktakeNotFound

ERRORS: dict[type[Exception], int] = {
    errors.StoreNotFound: 404,
    errors.ItemNotFound: 422,
    errors.InvalidMovement: 422,
    errors.BatchConflict: 409,
    InsufficientStock: 409,
    errors.StoreManagedBySite: 409,
    errors.OutOfProgramScope: 403,
    ref.ReferenceNotFound: 404,
    ref.DuplicateReference: 409,
    ref.InvalidReferenceData: 422,
    StocktakeError: 422,
    StocktakeNotFound: 404,
    StocktakeFinalised: 409,
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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            app.state.pool = pool or await stack.enter_async_context(open_pool(settings))
            store = idempotency.AsyncpgIdempotencyStore(app.state.pool)
            await stack.enter_async_context(idempotency.keeping(app, store, settings))
            app.state.authorizer = authorizer or await stack.enter_async_context(
                local_authorizer(
                    settings.kafka_bootstrap_servers,
                    issuer=settings.auth_issuer,
                    audience=settings.auth_audience,
                )
            )
            app.state.probes[:] = [
                database_probe(app.state.pool),
                kafka_probe(settings.kafka_bootstrap_servers),
            ]
            yield

    return platform_app(
        title="Akiba inventory",
        routers=[
            receipts.router,
            movements.router,
            stock.router,
            consumption.router,
            alerts.router,
            stocktakes.router,
            *REFERENCE_ROUTERS,
        ],
        errors=ERRORS,
        lifespan=lifespan,
    )
