"""What the reference-data routers share: paging and a read-only repository."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request

from akiba_inventory.adapters.reference import ReferenceRepository, where
from akiba_inventory.handlers import reference as rh
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform.http import Paging
from akiba_stock import reference as ref


async def _reader(request: Request) -> AsyncIterator[ReferenceRepository]:
    async with request.app.state.pool.acquire() as conn:
        yield InventoryUnitOfWork.joining(conn).reference


Reader = Annotated[ReferenceRepository, Depends(_reader)]


async def paged(repo: Reader, kind: type[ref.R], paging: Paging, **criteria: Any) -> dict[str, Any]:
    """A page of `kind` matching the criteria, shaped as `Page`."""
    records, total = await rh.page(repo, kind, where(kind, **criteria), paging.page, paging.size)
    return {"items": records, "page": paging.page, "size": paging.size, "total": total}
