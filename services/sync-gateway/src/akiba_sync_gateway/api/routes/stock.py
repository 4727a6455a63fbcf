"""Receipts, issues, adjustments, location moves, stock on hand and stock cards of site stores."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from akiba_contracts.rights import Right
from akiba_platform.auth import CurrentPrincipal, requires
from akiba_stock.commands import MovementLine, MoveStock, ReceiveStock, RecordMovements
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import StockMovement
from akiba_sync_gateway import handlers, metrics, views
from akiba_sync_gateway.api.deps import Db, Record, Recorder
from akiba_sync_gateway.api.schemas import (
    AdjustmentRequest,
    CardRow,
    DocumentRequest,
    IssueRequest,
    MovementResponse,
    MoveRequest,
    ReceiptRequest,
    StockCardPage,
    StockOnHandLine,
    StockOnHandPage,
)
from akiba_sync_gateway.store import Tx

router = APIRouter(tags=["stock"])
ADJUST = requires(Right.STOCK_ADJUST, facility="store_id")
VIEW = requires(Right.STOCK_CARDS_VIEW, facility="store_id")
Page = Annotated[int, Query(ge=0, description="From 0")]
Size = Annotated[int, Query(ge=1, le=500)]


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
    store_id: UUID, kind: LedgerKind, body: DocumentRequest, actor: str, counterparty: str | None
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
    )


@router.post(
    "/stores/{store_id}/receipts", status_code=201, response_model=MovementResponse, **ADJUST
)
async def record_receipt(
    store_id: UUID, body: ReceiptRequest, gw: Record, who: CurrentPrincipal
) -> MovementResponse:
    """Record a receipt of an item batch; 201 once it is durable in the site's database."""
    cmd = ReceiveStock(store_id=store_id, actor=who.actor, **body.model_dump())
    m = await gw.db.write(lambda c: handlers.receive_stock(Tx(c), gw.site_id, cmd, gw.clock()))
    metrics.RECORDED.inc()
    return response(m)


async def _record(gw: Recorder, cmd: RecordMovements) -> list[MovementResponse]:
    done = await gw.db.write(
        lambda c: handlers.record_movements(Tx(c), gw.site_id, cmd, gw.clock())
    )
    metrics.RECORDED.inc()
    return [response(m) for m in done]


@router.post(
    "/stores/{store_id}/issues", status_code=201, response_model=list[MovementResponse], **ADJUST
)
async def record_issue(
    store_id: UUID, body: IssueRequest, gw: Record, who: CurrentPrincipal
) -> list[MovementResponse]:
    """Issue stock outside requisitions; 409 if a line takes more than is on hand."""
    cmd = _document(store_id, LedgerKind.ISSUE, body, who.actor, body.destination)
    return await _record(gw, cmd)


@router.post(
    "/stores/{store_id}/adjustments",
    status_code=201,
    response_model=list[MovementResponse],
    **ADJUST,
)
async def record_adjustment(
    store_id: UUID,
    body: AdjustmentRequest,
    gw: Record,
    who: CurrentPrincipal,
) -> list[MovementResponse]:
    """Adjust stock with a reason on every line; 409 if a removal overdraws a line."""
    positive = body.direction == "positive"
    kind = LedgerKind.ADJUSTMENT_POSITIVE if positive else LedgerKind.ADJUSTMENT_NEGATIVE
    return await _record(gw, _document(store_id, kind, body, who.actor, None))


@router.post(
    "/stores/{store_id}/location-moves",
    status_code=201,
    response_model=list[MovementResponse],
    **ADJUST,
)
async def move_stock(
    store_id: UUID, body: MoveRequest, gw: Record, who: CurrentPrincipal
) -> list[MovementResponse]:
    """Move units of a batch between two locations of the store."""
    cmd = MoveStock(store_id=store_id, actor=who.actor, **body.model_dump())
    done = await gw.db.write(lambda c: handlers.move_stock(Tx(c), gw.site_id, cmd, gw.clock()))
    metrics.RECORDED.inc()
    return [response(m) for m in done]


@router.get("/stores/{store_id}/stock-on-hand", response_model=StockOnHandPage, **VIEW)
async def stock_on_hand(
    store_id: UUID,
    db: Db,
    item_id: UUID | None = None,
    include_empty: bool = False,
    page: Page = 0,
    size: Size = 50,
) -> StockOnHandPage:
    """The store's stock on hand per batch and location, first expiry first within each item."""
    rows, total = await db.read(
        lambda c: views.stock_on_hand(c, store_id, item_id, include_empty, page, size)
    )
    items = [StockOnHandLine(**r) for r in rows]
    return StockOnHandPage(items=items, page=page, size=size, total=total)


@router.get("/stores/{store_id}/items/{item_id}/stock-card", response_model=StockCardPage, **VIEW)
async def stock_card(
    store_id: UUID,
    item_id: UUID,
    db: Db,
    batch_id: UUID | None = None,
    page: Page = 0,
    size: Size = 100,
) -> StockCardPage:
    """The item's ledger (or one batch's) in date order, with the running balance."""
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
