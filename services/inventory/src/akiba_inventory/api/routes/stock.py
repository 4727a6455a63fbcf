"""Stock on hand and stock cards."""

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
from akiba_inventory.api.deps import Pool
from akiba_inventory.views import stock as views
from akiba_platform.auth import ProgramScope, requires
from akiba_stock_api import StockOnHandQuery

router = APIRouter(tags=["stock"])

Page = Annotated[PageNumber, Query()]
Size = Annotated[PageSize, Query()]


@router.get(
    "/stores/{store_id}/stock-on-hand",
    response_model=StockOnHandPage,
    **requires(Right.STOCK_CARDS_VIEW, facility="store_id"),
)
async def stock_on_hand(
    store_id: UUID,
    pool: Pool,
    programs: ProgramScope,
    filters: StockOnHandQuery,
    page: Page = 0,
    size: Size = 50,
) -> StockOnHandPage:
    """The store's stock on hand per batch and location, first expiry first within each item."""
    if filters.item_id is not None:
        await views.check_item_programs(pool, filters.item_id, programs)
    rows, total = await views.stock_on_hand(pool, store_id, filters, page=page, size=size)
    return StockOnHandPage(
        items=[StockOnHandLine(**r) for r in rows], page=page, size=size, total=total
    )


@router.get(
    "/stores/{store_id}/items/{item_id}/stock-card",
    response_model=StockCardPage,
    **requires(Right.STOCK_CARDS_VIEW, facility="store_id"),
)
async def stock_card(
    store_id: UUID,
    item_id: UUID,
    pool: Pool,
    programs: ProgramScope,
    batch_id: UUID | None = None,
    page: Page = 0,
    size: Size = 100,
) -> StockCardPage:
    """The item's ledger (or one batch's) in date order, with the running balance (403 for an
    item of programs the right at the store is not held for)."""
    await views.check_item_programs(pool, item_id, programs)
    rows, total = await views.stock_card(pool, store_id, item_id, batch_id, page, size)
    return StockCardPage(
        item_id=item_id,
        batch_id=batch_id,
        rows=[CardRow(**r) for r in rows],
        page=page,
        size=size,
        total=total,
    )
