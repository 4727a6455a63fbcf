"""AMC and MOS of an item in a store, and the store's summary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from akiba_contracts.fields import PageNumber, PageSize
from akiba_contracts.rights import Right
from akiba_contracts.stock_http.alerts import ConsumptionResponse, SummaryLine, SummaryPage
from akiba_inventory.api.deps import Pool
from akiba_inventory.views import consumption as cv
from akiba_inventory.views import stock as views
from akiba_platform.auth import ProgramScope, requires
from akiba_platform.http import Problem

router = APIRouter(tags=["consumption"])

Page = Annotated[PageNumber, Query()]
Size = Annotated[PageSize, Query()]


@router.get(
    "/stores/{store_id}/items/{item_id}/consumption",
    response_model=ConsumptionResponse,
    **requires(Right.STOCK_CARDS_VIEW, facility="store_id"),
)
async def consumption(
    store_id: UUID, item_id: UUID, pool: Pool, programs: ProgramScope
) -> ConsumptionResponse:
    """AMC over the look-back window ending now (stock-out adjusted), SOH and MOS."""
    await views.check_item_programs(pool, item_id, programs)
    async with pool.acquire() as conn:
        f = await cv.item_consumption(conn, store_id, item_id, datetime.now(UTC))
    if f is None:
        raise Problem(404, "Not found", f"store {store_id} or item {item_id} does not exist")
    return ConsumptionResponse(
        store_id=store_id,
        item_id=item_id,
        look_back_months=f.window.months,
        window_start=f.window.start,
        window_end=f.window.end,
        window_days=f.window.days,
        consumed=f.consumed,
        stockout_days=f.stockout_days,
        amc=f.amc,
        stock_on_hand=f.soh,
        months_of_stock=f.mos,
        min_months_of_stock=f.thresholds.min_mos,
        max_months_of_stock=f.thresholds.max_mos,
    )


@router.get(
    "/stores/{store_id}/summary",
    response_model=SummaryPage,
    **requires(Right.STOCK_CARDS_VIEW, facility="store_id"),
)
async def summary(store_id: UUID, pool: Pool, page: Page = 0, size: Size = 50) -> SummaryPage:
    """The store's items by code: SOH, AMC, MOS, nearest expiry and active alerts."""
    async with pool.acquire() as conn:
        rows, total = await cv.store_summary(conn, store_id, datetime.now(UTC), page, size)
    return SummaryPage(
        store_id=store_id,
        items=[SummaryLine.model_validate(r) for r in rows],
        page=page,
        size=size,
        total=total,
    )
