"""The start-up every central service's API shares: pool, idempotency, local authorizer, probes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI

from akiba_platform import idempotency
from akiba_platform.auth import Authorizer, local_authorizer
from akiba_platform.db import open_pool
from akiba_platform.http.probes import database_probe, kafka_probe
from akiba_platform.settings import ServiceSettings

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def central_lifespan(
    settings: ServiceSettings,
    pool: asyncpg.Pool[Any] | None = None,
    authorizer: Authorizer | None = None,
) -> Lifespan:
    """Open a pool and an authorizer unless given them, keep idempotent answers, probe both."""

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

    return lifespan
