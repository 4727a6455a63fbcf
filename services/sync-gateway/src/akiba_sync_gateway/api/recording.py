"""What the four write routes do once a request is authorised and valid, shared by the
FastAPI routes and the fast lane (`fastlane.py`) so both record exactly the same way."""

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
from akiba_stock.commands import MovementLine, MoveStock, ReceiveStock, RecordMovements
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import StockMovement
from akiba_sync_gateway import handlers, metrics
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.api.deps import Recorder


def response(m: StockMovement) -> MovementResponse:
    """A recorded movement as the API shows it."""
    return MovementResponse(
        movement_id=m.movement_id, store_id=m.store_id, store_sequence=m.store_sequence,
        item_id=m.item_id, batch_id=m.batch.batch_id, lot_code=m.batch.lot_code,
        expiry_date=m.batch.expiry_date, location_id=m.location_id,
        movement_type=m.movement_type.value, quantity=m.quantity, occurred_at=m.occurred_at,
        recorded_at=m.recorded_at,
    )  # fmt: skip


def _document(
    gw: Recorder,
    store_id: UUID,
    kind: LedgerKind,
    body: DocumentRequest,
    actor: str,
    counterparty: str | None,
) -> RecordMovements:
    return RecordMovements(
        store_id=store_id,
        kind=kind,
        lines=tuple(MovementLine(**ln.model_dump()) for ln in body.lines),
        occurred_at=body.occurred_at,
        actor=actor,
        reference=body.reference,
        counterparty=counterparty,
        program_id=body.program_id,
        programs=gw.programs,
    )


async def receipt(
    gw: Recorder, store_id: UUID, body: ReceiptRequest, actor: str
) -> MovementResponse:
    """Record a receipt; return once it is durable."""
    cmd = ReceiveStock(store_id=store_id, actor=actor, programs=gw.programs, **body.model_dump())
    m = await gw.db.write(lambda c: handlers.receive_stock(Tx(c), gw.site_id, cmd, gw.clock()))
    metrics.RECORDED.inc()
    return response(m)


async def _record(gw: Recorder, cmd: RecordMovements) -> list[MovementResponse]:
    done = await gw.db.write(
        lambda c: handlers.record_movements(Tx(c), gw.site_id, cmd, gw.clock())
    )
    metrics.RECORDED.inc()
    return [response(m) for m in done]


async def issue(
    gw: Recorder, store_id: UUID, body: IssueRequest, actor: str
) -> list[MovementResponse]:
    """Record an issue document; return once it is durable."""
    cmd = _document(gw, store_id, LedgerKind.ISSUE, body, actor, body.destination)
    return await _record(gw, cmd)


async def adjustment(
    gw: Recorder, store_id: UUID, body: AdjustmentRequest, actor: str
) -> list[MovementResponse]:
    """Record an adjustment document; return once it is durable."""
    positive = body.direction == "positive"
    kind = LedgerKind.ADJUSTMENT_POSITIVE if positive else LedgerKind.ADJUSTMENT_NEGATIVE
    return await _record(gw, _document(gw, store_id, kind, body, actor, None))


async def location_move(
    gw: Recorder, store_id: UUID, body: MoveRequest, actor: str
) -> list[MovementResponse]:
    """Record a location move; return once it is durable."""
    cmd = MoveStock(store_id=store_id, actor=actor, programs=gw.programs, **body.model_dump())
    done = await gw.db.write(lambda c: handlers.move_stock(Tx(c), gw.site_id, cmd, gw.clock()))
    metrics.RECORDED.inc()
    return [response(m) for m in done]


Handler = Callable[[Recorder, UUID, Any, str], Awaitable[Any]]
# The path's last segment → its request model and what recording it does.
WRITES: dict[str, tuple[type[BaseModel], Handler]] = {
    "receipts": (ReceiptRequest, receipt),
    "issues": (IssueRequest, issue),
    "adjustments": (AdjustmentRequest, adjustment),
    "location-moves": (MoveRequest, location_move),
}
