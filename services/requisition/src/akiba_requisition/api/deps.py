"""Dependencies routes share."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request

from akiba_requisition.uow import RequisitionUnitOfWork


def _pool(request: Request) -> Any:
    return request.app.state.pool


def _uow(pool: Annotated[asyncpg.Pool, Depends(_pool)]) -> RequisitionUnitOfWork:
    return RequisitionUnitOfWork(pool)


# asyncpg.Pool is generic only in its stubs; FastAPI needs the runtime class.
Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Uow = Annotated[RequisitionUnitOfWork, Depends(_uow)]
