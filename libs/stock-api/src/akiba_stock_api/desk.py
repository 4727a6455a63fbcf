"""What the stock routes ask of a service: record a store's documents, keep its stocktakes.

Inventory answers over its PostgreSQL unit of work, the gateway over the site's SQLite
database; the routes, the commands they build and the answers they give are the same.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

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

Rows = tuple[list[dict[str, Any]], int]


class MovementDesk(Protocol):
    """Records a store's movement documents, each in one transaction, durable on return."""

    async def receive(self, cmd: ReceiveStock) -> StockMovement:
        """Record a receipt."""
        ...

    async def record(self, cmd: RecordMovements) -> list[StockMovement]:
        """Record an issue or adjustment document."""
        ...

    async def move(self, cmd: MoveStock) -> list[StockMovement]:
        """Record a move between two locations."""
        ...


class StocktakeDesk(Protocol):
    """Keeps a store's stocktakes: the writes, and the reads the routes answer with."""

    async def create_stocktake(self, cmd: CreateStocktake) -> UUID:
        """Snapshot the scope's stock on hand; the new stocktake's id."""
        ...

    async def enter_counts(self, cmd: EnterCounts) -> None:
        """Enter counts on an open stocktake."""
        ...

    async def finalise_stocktake(self, cmd: FinaliseStocktake) -> None:
        """Post the variances and close the stocktake."""
        ...

    async def stocktake(self, store_id: UUID, stocktake_id: UUID) -> StocktakeResponse | None:
        """One stocktake of the store with its line and count totals; None if not there."""
        ...

    async def stocktakes(
        self, store_id: UUID, status: str | None, page: int, size: int
    ) -> tuple[list[StocktakeResponse], int]:
        """A page of the store's stocktakes, newest first, and how many there are."""
        ...

    async def stocktake_lines(self, head: StocktakeResponse, page: int, size: int) -> Rows:
        """A page of the stocktake's lines (snapshot, expected, counted, variance)."""
        ...


class GoodsDesk(Protocol):
    """Keeps a store's goods-received documents: each posted in one transaction, and read."""

    async def receive_goods(self, cmd: ReceiveGoods) -> None:
        """Check every line, post them all as receipts and keep the document."""
        ...

    async def goods_received(
        self, store_id: UUID, document_id: UUID
    ) -> GoodsReceivedResponse | None:
        """One document of the store with its lines; None if not there."""
        ...

    async def goods_received_page(
        self, store_id: UUID, reference: str | None, page: int, size: int
    ) -> tuple[list[GoodsReceivedSummary], int]:
        """A page of the store's documents (of one reference number), newest first."""
        ...
