"""The gateway's desk for the shared stock routes: each write one transaction on the site's
database (durable when it returns), each read one snapshot of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from starlette.datastructures import State
from starlette.requests import Request

from akiba_contracts.stock_http.goods import GoodsReceivedResponse, GoodsReceivedSummary
from akiba_contracts.stock_http.stocktakes import StocktakeResponse
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
from akiba_sync_gateway import goods, handlers, metrics, stocktakes, views
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.store import Tx


@dataclass(frozen=True)
class SiteDesk:
    """Records and reads the site's stores."""

    db: Database
    site_id: UUID
    clock: Callable[[], datetime]

    async def receive(self, cmd: ReceiveStock) -> StockMovement:
        """Record a receipt."""
        m = await self.db.write(
            lambda c: handlers.receive_stock(Tx(c), self.site_id, cmd, self.clock())
        )
        metrics.RECORDED.inc()
        return m

    async def record(self, cmd: RecordMovements) -> list[StockMovement]:
        """Record an issue or adjustment document."""
        done = await self.db.write(
            lambda c: handlers.record_movements(Tx(c), self.site_id, cmd, self.clock())
        )
        metrics.RECORDED.inc()
        return done

    async def move(self, cmd: MoveStock) -> list[StockMovement]:
        """Record a move between two locations."""
        done = await self.db.write(
            lambda c: handlers.move_stock(Tx(c), self.site_id, cmd, self.clock())
        )
        metrics.RECORDED.inc()
        return done

    async def receive_goods(self, cmd: ReceiveGoods) -> None:
        """Record a goods-received document: its receipts as one site document."""
        await self.db.write(lambda c: goods.receive_goods(Tx(c), self.site_id, cmd, self.clock()))
        metrics.RECORDED.inc()

    async def goods_received(
        self, store_id: UUID, document_id: UUID
    ) -> GoodsReceivedResponse | None:
        """One goods-received document with its lines."""
        return await self.db.read(lambda c: goods.document(c, store_id, document_id))

    async def goods_received_page(
        self, store_id: UUID, reference: str | None, page: int, size: int
    ) -> tuple[list[GoodsReceivedSummary], int]:
        """A page of the store's goods-received documents."""
        return await self.db.read(lambda c: goods.page(c, store_id, reference, page, size))

    async def create_stocktake(self, cmd: CreateStocktake) -> UUID:
        """Snapshot the scope; the new stocktake's id."""
        return await self.db.write(lambda c: stocktakes.create(Tx(c), cmd, self.clock()))

    async def enter_counts(self, cmd: EnterCounts) -> None:
        """Enter counts on an open stocktake."""
        await self.db.write(lambda c: stocktakes.enter_counts(Tx(c), cmd, self.clock()))

    async def finalise_stocktake(self, cmd: FinaliseStocktake) -> None:
        """Post the variances and close the stocktake."""
        await self.db.write(lambda c: stocktakes.finalise(Tx(c), self.site_id, cmd, self.clock()))

    async def stocktake(self, store_id: UUID, stocktake_id: UUID) -> StocktakeResponse | None:
        """One stocktake with its totals."""
        found = await self.db.read(lambda c: views.stocktake(c, store_id, stocktake_id))
        return None if found is None else StocktakeResponse.model_validate(found)

    async def stocktakes(
        self, store_id: UUID, status: str | None, page: int, size: int
    ) -> tuple[list[StocktakeResponse], int]:
        """A page of the store's stocktakes."""
        rows, total = await self.db.read(
            lambda c: views.stocktakes(c, store_id, status, page, size)
        )
        return [StocktakeResponse.model_validate(r) for r in rows], total

    async def stocktake_lines(self, head: StocktakeResponse, page: int, size: int) -> Rows:
        """A page of the stocktake's lines."""
        return await self.db.read(lambda c: views.stocktake_lines(c, head.stocktake_id, page, size))


def desk_of(state: State) -> SiteDesk:
    """The desk over what the app's start-up put in its state."""
    return SiteDesk(state.db, state.site_id, state.clock)


async def site_desk(request: Request) -> SiteDesk:
    """The desk of one request (a dependency of the shared routes)."""
    return desk_of(request.app.state)
