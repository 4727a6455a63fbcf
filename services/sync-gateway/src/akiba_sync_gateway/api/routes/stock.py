"""Stock on hand and stock cards of site stores (their writes are the shared stock routes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from akiba_contracts.fields import PageNumber, PageSize
from akiba_contracts.rights import Right
from akiba_contracts.stock_http.alerts import ConsumptionResponse
from akiba_contracts.stock_http.movements import (
    CardRow,
    StockCardPage,
    StockOnHandLine,
    StockOnHandPage,
)
from akiba_platform.auth import ProgramScope, requires
from akiba_platform.http import Problem
from akiba_stock.consumption import LookBack, months_of_stock
from akiba_stock_api import StockOnHandQuery
from akiba_sync_gateway import views
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.alerting import THRESHOLDS, item_state, store_item_known
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


@router.get(
    "/stores/{store_id}/items/{item_id}/consumption",
    response_model=ConsumptionResponse,
    **VIEW,
)
async def consumption(
    store_id: UUID, item_id: UUID, db: Db, programs: ProgramScope
) -> ConsumptionResponse:
    """AMC over the look-back window ending now, SOH and MOS, as the site's alerts use them.

    A site's AMC is its consumption over the window without central's stock-out adjustment
    (the site keeps no day-by-day closing balances), so `stockout_days` is always 0 here.
    """
    await db.read(lambda c: Tx(c).check_programs({item_id}, programs))
    now = datetime.now(UTC)
    state, known = await db.read(
        lambda c: (item_state(c, store_id, item_id, now), store_item_known(c, store_id, item_id))
    )
    if not known:
        raise Problem(404, "Not found", f"store {store_id} or item {item_id} is not known here")
    window = LookBack(now)
    return ConsumptionResponse(
        store_id=store_id,
        item_id=item_id,
        look_back_months=window.months,
        window_start=window.start,
        window_end=window.end,
        window_days=window.days,
        consumed=state.consumed_in_window,
        stockout_days=0,
        amc=state.amc,
        stock_on_hand=state.soh,
        months_of_stock=months_of_stock(state.soh, state.amc),
        min_months_of_stock=THRESHOLDS.min_mos,
        max_months_of_stock=THRESHOLDS.max_mos,
    )
