"""Inventory's FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI

from akiba_inventory.api.routes import receipts, stock
from akiba_inventory.domain import errors
from akiba_inventory.settings import Settings
from akiba_platform.http import create_app as platform_app
from akiba_platform.http.probes import database_probe, kafka_probe

ERRORS: dict[type[Exception], int] = {
    errors.StoreNotFound: 404,
    errors.ItemNotFound: 422,
    errors.InvalidMovement: 422,
    errors.BatchConflict: 409,
}


def create_app(settings: Settings, pool: asyncpg.Pool[Any] | None = None) -> FastAPI:
    """The API, on a given pool or on one it opens itself at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from akiba_platform.db import create_pool

        own = pool is None
        app.state.pool = pool or await create_pool(
            settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        app.state.probes[:] = [
            database_probe(app.state.pool),
            kafka_probe(settings.kafka_bootstrap_servers),
        ]
        try:
            yield
        finally:
            if own:
                await app.state.pool.close()

    return platform_app(
        title="Akiba inventory",
        routers=[receipts.router, stock.router],
        errors=ERRORS,
        lifespan=lifespan,
    )
