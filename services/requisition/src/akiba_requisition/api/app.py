"""Requisition's FastAPI app."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI

from akiba_platform.auth import Authorizer
from akiba_platform.http import central_lifespan
from akiba_platform.http import create_app as platform_app
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

    return platform_app(
        title="Akiba requisition",
        routers=ROUTERS,
        errors=ERRORS,
        lifespan=central_lifespan(settings, pool, authorizer),
    )
