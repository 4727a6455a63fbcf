"""Fulfillment's FastAPI app."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI

from akiba_fulfillment.api.routes import orders, returns, shipments, supply_lines
from akiba_fulfillment.domain import errors
from akiba_fulfillment.settings import Settings
from akiba_platform.auth import Authorizer
from akiba_platform.http import central_lifespan
from akiba_platform.http import create_app as platform_app

ERRORS: dict[type[Exception], int] = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Invalid: 422,
    errors.Forbidden: 403,
}


def create_app(
    settings: Settings,
    pool: asyncpg.Pool[Any] | None = None,
    authorizer: Authorizer | None = None,
) -> FastAPI:
    """The API; it opens its own pool and authorizer at start-up unless given them."""

    return platform_app(
        title="Akiba fulfillment",
        routers=[supply_lines.router, orders.router, shipments.router, returns.router],
        errors=ERRORS,
        lifespan=central_lifespan(settings, pool, authorizer),
    )
