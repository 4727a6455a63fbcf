"""Issues, adjustments, location moves and holds: central commands on a store's ledger."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from akiba_contracts.rights import Right
from akiba_contracts.stock_http.movements import (
    AdjustmentRequest,
    DocumentRequest,
    HoldRequest,
    IssueRequest,
    MovementResponse,
    MoveRequest,
)
from akiba_inventory.api.deps import Uow
from akiba_inventory.handlers import movements as handlers
from akiba_platform.auth import CurrentPrincipal, ProgramScope, requires
from akiba_stock.commands import HoldStock, MovementLine, MoveStock, RecordMovements
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import StockMovement

router = APIRouter(tags=["stock"])
ADJUST = requires(Right.STOCK_ADJUST, facility="store_id")


def response(m: StockMovement) -> MovementResponse:
    """A recorded movement as the API shows it."""
    return MovementResponse(
        movement_id=m.movement_id,
        store_id=m.store_id,
        store_sequence=m.store_sequence,
        item_id=m.item_id,
        batch_id=m.batch.batch_id,
        lot_code=m.batch.lot_code,
        expiry_date=m.batch.expiry_date,
        location_id=m.location_id,
        movement_type=m.movement_type.value,
        quantity=m.quantity,
        occurred_at=m.occurred_at,
        recorded_at=m.recorded_at,
    )


def _document(
    store_id: UUID,
    kind: LedgerKind,
    body: DocumentRequest,
    actor: str,
    counterparty: str | None,
    programs: ProgramScope = None,
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
        programs=programs,
    )


@router.post(
    "/stores/{store_id}/issues", status_code=201, response_model=list[MovementResponse], **ADJUST
)
async def record_issue(
    store_id: UUID, body: IssueRequest, uow: Uow, who: CurrentPrincipal, programs: ProgramScope
) -> list[MovementResponse]:
    """Issue stock outside requisitions; 409 if a line takes more than is available."""
    cmd = _document(store_id, LedgerKind.ISSUE, body, who.actor, body.destination, programs)
    return [response(m) for m in await handlers.record_movements(cmd, uow)]


@router.post(
    "/stores/{store_id}/adjustments",
    status_code=201,
    response_model=list[MovementResponse],
    **ADJUST,
)
async def record_adjustment(
    store_id: UUID, body: AdjustmentRequest, uow: Uow, who: CurrentPrincipal, programs: ProgramScope
) -> list[MovementResponse]:
    """Adjust stock with a reason on every line; 409 if a removal overdraws a line."""
    kind = (
        LedgerKind.ADJUSTMENT_POSITIVE
        if body.direction == "positive"
        else LedgerKind.ADJUSTMENT_NEGATIVE
    )
    cmd = _document(store_id, kind, body, who.actor, None, programs)
    return [response(m) for m in await handlers.record_movements(cmd, uow)]


@router.post(
    "/stores/{store_id}/location-moves",
    status_code=201,
    response_model=list[MovementResponse],
    **ADJUST,
)
async def move_stock(
    store_id: UUID, body: MoveRequest, uow: Uow, who: CurrentPrincipal, programs: ProgramScope
) -> list[MovementResponse]:
    """Move units of a batch between two locations of the store."""
    cmd = MoveStock(store_id=store_id, actor=who.actor, programs=programs, **body.model_dump())
    return [response(m) for m in await handlers.move_stock(cmd, uow)]


@router.put("/stores/{store_id}/stock-lines/hold", **ADJUST)
async def hold_stock_line(
    store_id: UUID, body: HoldRequest, uow: Uow, who: CurrentPrincipal, programs: ProgramScope
) -> dict[str, object]:
    """Hold a stock line (its stock stays but is not available) or release it."""
    cmd = HoldStock(store_id=store_id, actor=who.actor, programs=programs, **body.model_dump())
    level = await handlers.hold_stock(cmd, uow)
    return {"quantity": level.quantity, "on_hold": level.on_hold}
