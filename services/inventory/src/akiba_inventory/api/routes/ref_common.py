"""What the reference-data routers share: paging and a read-only repository."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from akiba_contracts.fields import PageNumber, PageSize
from akiba_inventory.adapters.reference import ReferenceRepository, where
from akiba_inventory.handlers import reference as rh
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_stock import reference as ref


@dataclass(frozen=True)
class Paging:
    """Which page of a list to return."""

    page: int
    size: int


def _paging(
    page: Annotated[PageNumber, Query()] = 0,
    size: Annotated[PageSize, Query()] = 50,
) -> Paging:
    return Paging(page, size)


async def _reader(request: Request) -> AsyncIterator[ReferenceRepository]:
    async with request.app.state.pool.acquire() as conn:
        yield InventoryUnitOfWork.joining(conn).reference


PageQuery = Annotated[Paging, Depends(_paging)]
Reader = Annotated[ReferenceRepository, Depends(_reader)]


async def paged(repo: Reader, kind: type[ref.R], paging: Paging, **criteria: Any) -> dict[str, Any]:
    """A page of `kind` matching the criteria, shaped as `Page`."""
    records, total = await rh.page(repo, kind, where(kind, **criteria), paging.page, paging.size)
    return {"items": records, "page": paging.page, "size": paging.size, "total": total}
