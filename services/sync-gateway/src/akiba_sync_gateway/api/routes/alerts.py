"""Active alerts of a site store."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from akiba_contracts.fields import PageNumber, PageSize
from akiba_contracts.payloads.alerts import AlertKind
from akiba_contracts.rights import Right
from akiba_contracts.stock_http.alerts import AlertPage, AlertResponse
from akiba_platform.auth import requires
from akiba_sync_gateway import views
from akiba_sync_gateway.api.deps import Db

router = APIRouter(tags=["alerts"])


@router.get(
    "/stores/{store_id}/alerts",
    response_model=AlertPage,
    **requires(Right.STOCK_CARDS_VIEW, facility="store_id"),
)
async def store_alerts(
    store_id: UUID,
    db: Db,
    kind: AlertKind | None = None,
    item_id: UUID | None = None,
    page: Annotated[PageNumber, Query()] = 0,
    size: Annotated[PageSize, Query()] = 50,
) -> AlertPage:
    """The store's active alerts, newest first."""
    value = kind.value if kind else None
    rows, total = await db.read(lambda c: views.alerts(c, store_id, value, item_id, page, size))
    items = [AlertResponse.model_validate(r) for r in rows]
    return AlertPage(items=items, page=page, size=size, total=total)
