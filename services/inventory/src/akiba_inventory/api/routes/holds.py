"""Holds: a central store's stock line kept out of what is available, or released.

Receipts, issues, adjustments and location moves are the shared stock routes
(`akiba_stock_api`), mounted in `api/app.py` over this service's desk.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from akiba_contracts.rights import Right
from akiba_contracts.stock_http.movements import HoldRequest
from akiba_inventory.api.deps import Uow
from akiba_inventory.handlers import movements as handlers
from akiba_platform.auth import CurrentPrincipal, ProgramScope, requires
from akiba_stock.commands import HoldStock

router = APIRouter(tags=["stock"])


@router.put(
    "/stores/{store_id}/stock-lines/hold", **requires(Right.STOCK_ADJUST, facility="store_id")
)
async def hold_stock_line(
    store_id: UUID, body: HoldRequest, uow: Uow, who: CurrentPrincipal, programs: ProgramScope
) -> dict[str, object]:
    """Hold a stock line (its stock stays but is not available) or release it."""
    cmd = HoldStock(store_id=store_id, actor=who.actor, programs=programs, **body.model_dump())
    level = await handlers.hold_stock(cmd, uow)
    return {"quantity": level.quantity, "on_hold": level.on_hold}
