"""Inventory's desk for the shared stock routes: the handlers over a unit of work, the views
over the pool."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.datastructures import State
from starlette.requests import Request

from akiba_contracts.stock_http.goods import GoodsReceivedResponse, GoodsReceivedSummary
from akiba_contracts.stock_http.stocktakes import StocktakeResponse
from akiba_inventory.handlers import goods, movements, stocktakes
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_inventory.views import goods as goods_views
from akiba_inventory.views import stocktakes as views
from akiba_stock.commands import (
    CreateStocktake,
    EnterCounts,
    FinaliseStocktake,
    MoveStock,
    ReceiveGoods,
    ReceiveStock,
    RecordMovements,
)
from akiba_stock.model import StockMovement
from akiba_stock_api import Rows


class CentralDesk:
    """Records and reads a central store's stock: one unit of work per write."""

    def __init__(self, uow: InventoryUnitOfWork, pool: Any) -> None:
        self._uow, self._pool = uow, pool

    async def receive(self, cmd: ReceiveStock) -> StockMovement:
        """Record a receipt."""
        return await movements.receive_stock(cmd, self._uow)

    async def record(self, cmd: RecordMovements) -> list[StockMovement]:
        """Record an issue or adjustment document."""
        return await movements.record_movements(cmd, self._uow)

    async def move(self, cmd: MoveStock) -> list[StockMovement]:
        """Record a move between two locations."""
        return await movements.move_stock(cmd, self._uow)

    async def receive_goods(self, cmd: ReceiveGoods) -> None:
        """Post a goods-received document whole."""
        await goods.receive_goods(cmd, self._uow)

    async def goods_received(
        self, store_id: UUID, document_id: UUID
    ) -> GoodsReceivedResponse | None:
        """One goods-received document with its lines."""
        return await goods_views.document(self._pool, store_id, document_id)

    async def goods_received_page(
        self, store_id: UUID, reference: str | None, page: int, size: int
    ) -> tuple[list[GoodsReceivedSummary], int]:
        """A page of the store's goods-received documents."""
        return await goods_views.page(self._pool, store_id, reference, page, size)

    async def create_stocktake(self, cmd: CreateStocktake) -> UUID:
        """Snapshot the scope; the new stocktake's id."""
        return (await stocktakes.create_stocktake(cmd, self._uow)).stocktake_id

    async def enter_counts(self, cmd: EnterCounts) -> None:
        """Enter counts on an open stocktake."""
        await stocktakes.enter_counts(cmd, self._uow)

    async def finalise_stocktake(self, cmd: FinaliseStocktake) -> None:
        """Post the variances and close the stocktake."""
        await stocktakes.finalise_stocktake(cmd, self._uow)

    async def stocktake(self, store_id: UUID, stocktake_id: UUID) -> StocktakeResponse | None:
        """One stocktake with its totals."""
        return await views.stocktake(self._pool, store_id, stocktake_id)

    async def stocktakes(
        self, store_id: UUID, status: str | None, page: int, size: int
    ) -> tuple[list[StocktakeResponse], int]:
        """A page of the store's stocktakes."""
        return await views.stocktakes(self._pool, store_id, status, page, size)

    async def stocktake_lines(self, head: StocktakeResponse, page: int, size: int) -> Rows:
        """A page of the stocktake's lines."""
        return await views.lines(self._pool, head, page, size)


def desk_of(state: State) -> CentralDesk:
    """The desk over the pool the app's start-up put in its state (the fast lane's)."""
    return CentralDesk(InventoryUnitOfWork(state.pool), state.pool)


async def central_desk(request: Request) -> CentralDesk:
    """The desk of one request (a dependency of the shared routes)."""
    return desk_of(request.app.state)
