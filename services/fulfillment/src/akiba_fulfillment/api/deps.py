"""Dependencies routes share: units of work, a reader, paging and If-Match."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from akiba_fulfillment.adapters.supply_lines import SupplyLineRepository
from akiba_fulfillment.uow import FulfillmentUnitOfWork

# A compressing proxy may weaken the ETag (W/); it still names the same version.


def _uow(request: Request) -> FulfillmentUnitOfWork:
    return FulfillmentUnitOfWork(request.app.state.pool)


async def _reader(request: Request) -> AsyncIterator[SupplyLineRepository]:
    async with request.app.state.pool.acquire() as conn:
        yield FulfillmentUnitOfWork.joining(conn).supply_lines


Uow = Annotated[FulfillmentUnitOfWork, Depends(_uow)]
Reader = Annotated[SupplyLineRepository, Depends(_reader)]


async def _read(request: Request) -> AsyncIterator[FulfillmentUnitOfWork]:
    async with request.app.state.pool.acquire() as conn:
        yield FulfillmentUnitOfWork.joining(conn)


# Reads outside a transaction: a unit of work on a pooled connection, never committed.
Read = Annotated[FulfillmentUnitOfWork, Depends(_read)]
