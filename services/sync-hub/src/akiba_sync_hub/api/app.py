"""The hub's FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI

from akiba_platform import idempotency, open_pool
from akiba_platform.auth import Authorizer, SiteDirectory, local_authorizer
from akiba_platform.http import create_app as platform_app
from akiba_platform.http import database_probe, kafka_probe
from akiba_sync_hub.api.admission import InFlight
from akiba_sync_hub.api.contact import Contacts
from akiba_sync_hub.api.routes import feed, push, status
from akiba_sync_hub.ingress import Ingress
from akiba_sync_hub.settings import Settings
from akiba_sync_hub.watch import counting


def create_app(
    settings: Settings,
    pool: asyncpg.Pool[Any] | None = None,
    authorizer: Authorizer | None = None,
    sites: SiteDirectory | None = None,
) -> FastAPI:
    """The API; it opens its own pool and auth read model at start-up unless given them.

    A given authorizer is fed by its caller, and so is `sites` (empty unless given then).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        directory = sites if sites is not None else SiteDirectory()
        async with AsyncExitStack() as stack:
            app.state.settings = settings
            app.state.pool = pool or await stack.enter_async_context(open_pool(settings))
            store = idempotency.AsyncpgIdempotencyStore(app.state.pool)
            await stack.enter_async_context(idempotency.keeping(app, store, settings))
            app.state.authorizer = authorizer or await stack.enter_async_context(
                local_authorizer(
                    settings.kafka_bootstrap_servers,
                    issuer=settings.auth_issuer,
                    audience=settings.auth_audience,
                    sites=directory,
                )
            )
            contacts = Contacts(app.state.pool, settings.sync_status_flush_seconds)
            app.state.contacts = await stack.enter_async_context(contacts.running())
            app.state.in_flight = InFlight(
                settings.sync_max_pushes_in_flight, settings.sync_max_push_bytes_in_flight
            )
            app.state.ingress = Ingress(directory, settings.kafka_bootstrap_servers)
            stack.push_async_callback(app.state.ingress.close)
            limits, every = settings.sync_thresholds(), settings.sync_count_every_seconds
            await stack.enter_async_context(counting(app.state.pool, limits, every))
            app.state.probes[:] = [
                database_probe(app.state.pool),
                kafka_probe(settings.kafka_bootstrap_servers),
            ]
            yield

    return platform_app(
        title="Akiba sync-hub", routers=[push.router, feed.router, status.router], lifespan=lifespan
    )
