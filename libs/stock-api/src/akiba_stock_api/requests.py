"""Request bodies to commands, recorded movements to responses: the stock routes' one reading.

The FastAPI routes (`routes.py`) and the gateway's fast lane both call these, so a body is
understood the same way whoever receives it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from akiba_contracts.stock_http.movements import (
    AdjustmentRequest,
    DocumentRequest,
    IssueRequest,
    MovementResponse,
    MoveRequest,
    ReceiptRequest,
)
from akiba_contracts.stock_http.stocktakes import CountRequest, StocktakeRequest
from akiba_stock.commands import (
    Count,
    CreateStocktake,
    EnterCounts,
    MovementLine,
    MoveStock,
    ReceiveStock,
    RecordMovements,
)
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import StockMovement
from akiba_stock_api.desk import MovementDesk

Programs = frozenset[UUID] | None


def response(m: StockMovement) -> MovementResponse:
    """A recorded movement as the API shows it."""
    return MovementResponse(
        movement_id=m.movement_id, store_id=m.store_id, store_sequence=m.store_sequence,
        item_id=m.item_id, batch_id=m.batch.batch_id, lot_code=m.batch.lot_code,
        expiry_date=m.batch.expiry_date, location_id=m.location_id,
        movement_type=m.movement_type.value, quantity=m.quantity, occurred_at=m.occurred_at,
        recorded_at=m.recorded_at,
    )  # fmt: skip


def document(
    store_id: UUID,
    kind: LedgerKind,
    body: DocumentRequest,
    actor: str,
    counterparty: str | None,
    programs: Programs,
) -> RecordMovements:
    """A document request (issue or adjustment) as the command to record it."""
    return RecordMovements(
        store_id=store_id,
        kind=kind,
        lines=tuple(MovementLine(**ln.model_dump()) for ln in body.lines),
        occurred_at=body.occurred_at,
        actor=actor,
        reference=body.reference,
        counterparty=counterparty,
        program_id=body.program_id,
        programs=programs,
    )


def adjustment_kind(body: AdjustmentRequest) -> LedgerKind:
    """The ledger kind an adjustment's direction names."""
    positive = body.direction == "positive"
    return LedgerKind.ADJUSTMENT_POSITIVE if positive else LedgerKind.ADJUSTMENT_NEGATIVE


async def receipt(
    desk: MovementDesk, store_id: UUID, body: ReceiptRequest, actor: str, programs: Programs
) -> MovementResponse:
    """Record a receipt."""
    cmd = ReceiveStock(store_id=store_id, actor=actor, programs=programs, **body.model_dump())
    return response(await desk.receive(cmd))


async def issue(
    desk: MovementDesk, store_id: UUID, body: IssueRequest, actor: str, programs: Programs
) -> list[MovementResponse]:
    """Record an issue document."""
    cmd = document(store_id, LedgerKind.ISSUE, body, actor, body.destination, programs)
    return [response(m) for m in await desk.record(cmd)]


async def adjustment(
    desk: MovementDesk, store_id: UUID, body: AdjustmentRequest, actor: str, programs: Programs
) -> list[MovementResponse]:
    """Record an adjustment document."""
    cmd = document(store_id, adjustment_kind(body), body, actor, None, programs)
    return [response(m) for m in await desk.record(cmd)]


async def location_move(
    desk: MovementDesk, store_id: UUID, body: MoveRequest, actor: str, programs: Programs
) -> list[MovementResponse]:
    """Record a move between two locations."""
    cmd = MoveStock(store_id=store_id, actor=actor, programs=programs, **body.model_dump())
    return [response(m) for m in await desk.move(cmd)]


Write = Callable[[MovementDesk, UUID, Any, str, Programs], Awaitable[Any]]
# A write route's last path segment → its request model and how it is recorded.
WRITES: dict[str, tuple[type[BaseModel], Write]] = {
    "receipts": (ReceiptRequest, receipt),
    "issues": (IssueRequest, issue),
    "adjustments": (AdjustmentRequest, adjustment),
    "location-moves": (MoveRequest, location_move),
}


def create_stocktake(
    store_id: UUID, body: StocktakeRequest, actor: str, programs: Programs
) -> CreateStocktake:
    """A stocktake request as the command to snapshot its scope."""
    return CreateStocktake(
        store_id=store_id,
        actor=actor,
        item_ids=tuple(body.item_ids),
        location_ids=tuple(body.location_ids),
        program_id=body.program_id,
        reference=body.reference,
        programs=programs,
    )


def enter_counts(
    store_id: UUID, stocktake_id: UUID, body: CountRequest, actor: str, programs: Programs
) -> EnterCounts:
    """A count request as the command to enter its counts."""
    counts = tuple(Count(**ln.model_dump()) for ln in body.lines)
    return EnterCounts(store_id, stocktake_id, actor, counts, programs)
