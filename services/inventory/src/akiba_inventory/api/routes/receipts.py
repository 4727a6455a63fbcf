"""Receipts: stock arriving at a store."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from akiba_contracts.rights import Right
from akiba_contracts.stock_http.movements import MovementResponse, ReceiptRequest
from akiba_inventory.api.deps import Uow
from akiba_inventory.api.routes.movements import response
from akiba_inventory.handlers import movements as handlers
from akiba_platform.auth import CurrentPrincipal, ProgramScope, requires
from akiba_stock.commands import ReceiveStock

router = APIRouter(tags=["stock"])


@router.post(
    "/stores/{store_id}/receipts",
    status_code=201,
    response_model=MovementResponse,
    **requires(Right.STOCK_ADJUST, facility="store_id"),
)
async def record_receipt(
    store_id: UUID, body: ReceiptRequest, uow: Uow, who: CurrentPrincipal, programs: ProgramScope
) -> MovementResponse:
    """Record a receipt of an item batch into the store's ledger (403 for an item of programs
    the right at the store is not held for)."""
    cmd = ReceiveStock(store_id=store_id, actor=who.actor, programs=programs, **body.model_dump())
    return response(await handlers.receive_stock(cmd, uow))
