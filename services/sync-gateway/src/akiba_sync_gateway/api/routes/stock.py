"""Stock on hand and stock cards of site stores (their writes are the shared stock routes)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from akiba_contracts.fields import PageNumber, PageSize
from akiba_contracts.rights import Right
from akiba_contracts.stock_http.movements import (
    CardRow,
    StockCardPage,
    StockOnHandLine,
    StockOnHandPage,
)
from akiba_platform.auth import ProgramScope, requires
from akiba_stock_api import StockOnHandQuery
from akiba_sync_gateway import views
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.api.deps import Db

router = APIRouter(tags=["stock"])
VIEW = requires(Right.STOCK_CARDS_VIEW, facility="store_id")
Page = Annotated[PageNumber, Query()]
Size = Annotated[PageSize, Query()]


@router.get("/stores/{store_id}/stock-on-hand", response_model=StockOnHandPage, **VIEW)
async def stock_on_hand(
    store_id: UUID,
    db: Db,
    programs: ProgramScope,
    filters: StockOnHandQuery,
    page: Page = 0,
    size: Size = 50,
) -> StockOnHandPage:
    """The store's stock on hand per batch and location, first expiry first within each item."""
    if (item_id := filters.item_id) is not None:
        await db.read(lambda c: Tx(c).check_programs({item_id}, programs))
    rows, total = await db.read(lambda c: views.stock_on_hand(c, store_id, filters, page, size))
    items = [StockOnHandLine(**r) for r in rows]
    return StockOnHandPage(items=items, page=page, size=size, total=total)


@router.get("/stores/{store_id}/items/{item_id}/stock-card", response_model=StockCardPage, **VIEW)
async def stock_card(
    store_id: UUID,
    item_id: UUID,
    db: Db,
    programs: ProgramScope,
    batch_id: UUID | None = None,
    page: Page = 0,
    size: Size = 100,
) -> StockCardPage:
    """The item's ledger (or one batch's) in date order, with the running balance."""
    await db.read(lambda c: Tx(c).check_programs({item_id}, programs))
    rows, total = await db.read(
        lambda c: views.stock_card(c, store_id, item_id, batch_id, page, size)
    )
    return StockCardPage(
        item_id=item_id,
        batch_id=batch_id,
        rows=[CardRow(**r) for r in rows],
        page=page,
        size=size,
        total=total,
    )
