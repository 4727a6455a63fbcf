"""Auth's FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI

from akiba_auth.api.routes import keys, oauth, roles, sites, tree, users
from akiba_auth.domain import errors
from akiba_auth.handlers.grants import Grants
from akiba_auth.handlers.keys import ensure_key
from akiba_auth.passwords import PasswordHasher
from akiba_auth.settings import Settings
from akiba_auth.tokens import TokenSigner
from akiba_auth.uow import AuthUnitOfWork
from akiba_platform import idempotency, open_pool
from akiba_platform.auth import Authorizer, local_authorizer
from akiba_platform.http import create_app as platform_app
from akiba_platform.http import database_probe, kafka_probe

ERRORS: dict[type[Exception], int] = {
    errors.NotPermitted: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Invalid: 422,
}


def _wire(app: FastAPI, settings: Settings, pool: asyncpg.Pool[Any]) -> None:
    hasher = PasswordHasher.from_settings(settings)
    signer = TokenSigner(
        settings.auth_issuer,
        settings.auth_audience,
        settings.access_token_seconds,
        settings.key_secret(),
    )
    app.state.pool, app.state.settings, app.state.hasher = pool, settings, hasher
    app.state.grants = Grants(lambda: AuthUnitOfWork(pool), hasher, signer, settings)
    app.state.probes[:] = [database_probe(pool), kafka_probe(settings.kafka_bootstrap_servers)]


def create_app(
    settings: Settings,
    pool: asyncpg.Pool[Any] | None = None,
    authorizer: Authorizer | None = None,
) -> FastAPI:
    """The API; it opens its own pool and authorizer at start-up unless given them."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            db = pool if pool is not None else await stack.enter_async_context(open_pool(settings))
            _wire(app, settings, db)
            store = idempotency.AsyncpgIdempotencyStore(db)
            await stack.enter_async_context(idempotency.keeping(app, store, settings))
            await ensure_key(AuthUnitOfWork(db), settings.key_secret())
            # Auth authorizes its own admin routes like every service does: from the keys and
            # permissions it published, so one code path decides everywhere.
            app.state.authorizer = authorizer or await stack.enter_async_context(
                local_authorizer(
                    settings.kafka_bootstrap_servers,
                    issuer=settings.auth_issuer,
                    audience=settings.auth_audience,
                )
            )
            yield

    return platform_app(
        title="Akiba auth",
        routers=[oauth.router, users.router, roles.router, tree.router, sites.router, keys.router],
        errors=ERRORS,
        lifespan=lifespan,
    )
