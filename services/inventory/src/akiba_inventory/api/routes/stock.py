"""Stock on hand."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from akiba_contracts.rights import Right
from akiba_inventory import views
from akiba_inventory.api.deps import Pool
from akiba_inventory.api.schemas import StockLineResponse
from akiba_platform.auth import requires

router = APIRouter(tags=["stock"])


@router.get(
    "/stores/{store_id}/stock-on-hand",
    response_model=list[StockLineResponse],
    **requires(Right.STOCK_CARDS_VIEW, facility="store_id"),
)
async def stock_on_hand(store_id: UUID, pool: Pool) -> list[StockLineResponse]:
    """The store's stock on hand per batch and location."""
    return [StockLineResponse(**r) for r in await views.stock_on_hand(pool, store_id)]
