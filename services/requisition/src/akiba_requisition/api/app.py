"""Requisition's FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI

from akiba_platform import idempotency, open_pool
from akiba_platform.auth import Authorizer, local_authorizer
from akiba_platform.http import create_app as platform_app
from akiba_platform.http import database_probe, kafka_probe
from akiba_requisition.api.errors import ERRORS
from akiba_requisition.api.routes import (
    customer_requisitions,
    internal_orders,
    ref_isa,
    ref_products,
    ref_programs,
    ref_schedules,
    ref_templates,
    requisition_queries,
    requisitions,
)
from akiba_requisition.settings import Settings

ROUTERS: list[APIRouter] = [
    requisition_queries.router,
    requisitions.router,
    internal_orders.router,
    customer_requisitions.router,
    ref_programs.router,
    ref_products.router,
    ref_schedules.router,
    ref_templates.router,
    ref_isa.router,
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
            app.state.settings = settings
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
        title="Akiba requisition", routers=ROUTERS, errors=ERRORS, lifespan=lifespan
    )
