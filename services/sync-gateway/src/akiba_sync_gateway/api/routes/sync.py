"""The site's sync status."""

from __future__ import annotations

from fastapi import APIRouter

from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_sync_gateway import metrics
from akiba_sync_gateway.api.deps import Clock, Db
from akiba_sync_gateway.api.schemas import SyncStatus
from akiba_sync_gateway.sync import health

router = APIRouter(tags=["sync"])


@router.get("/sync/status", response_model=SyncStatus, **requires(Right.STOCK_CARDS_VIEW))
async def sync_status(db: Db, clock: Clock) -> SyncStatus:
    """Last push and pull, backlog, oldest unsynced, failing loops, blocked events, last errors."""
    found = await db.read(lambda c: health.status(c, clock()))
    metrics.publish(found)
    return SyncStatus.model_validate(found)
