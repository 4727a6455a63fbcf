"""Fulfillment's FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI

from akiba_fulfillment.api.routes import supply_lines
from akiba_fulfillment.domain import errors
from akiba_fulfillment.settings import Settings
from akiba_platform import idempotency, open_pool
from akiba_platform.auth import Authorizer, local_authorizer
from akiba_platform.http import create_app as platform_app
from akiba_platform.http import database_probe, kafka_probe

ERRORS: dict[type[Exception], int] = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Invalid: 422,
}


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
        title="Akiba fulfillment",
        routers=[supply_lines.router],
        errors=ERRORS,
        lifespan=lifespan,
    )
