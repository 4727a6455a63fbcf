"""Active alerts: per store, and across the stores the caller may see."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from akiba_contracts.fields import PageNumber, PageSize
from akiba_contracts.payloads.alerts import AlertKind
from akiba_contracts.rights import Right
from akiba_contracts.stock_http.alerts import AlertPage, AlertResponse
from akiba_inventory.adapters.alerts import alert_page
from akiba_inventory.api.deps import Pool
from akiba_platform.auth import Authorizer, CurrentPrincipal, Principal, requires

router = APIRouter(tags=["alerts"])

Page = Annotated[PageNumber, Query()]
Size = Annotated[PageSize, Query()]


@router.get(
    "/stores/{store_id}/alerts",
    response_model=AlertPage,
    **requires(Right.STOCK_CARDS_VIEW, facility="store_id"),
)
async def store_alerts(
    store_id: UUID,
    pool: Pool,
    kind: AlertKind | None = None,
    item_id: UUID | None = None,
    page: Page = 0,
    size: Size = 50,
) -> AlertPage:
    """The store's active alerts, newest first."""
    return await _page(pool, [store_id], kind, item_id, page, size)


@router.get("/alerts", response_model=AlertPage, **requires(Right.STOCK_CARDS_VIEW))
async def all_alerts(
    request: Request,
    who: CurrentPrincipal,
    pool: Pool,
    kind: AlertKind | None = None,
    item_id: UUID | None = None,
    store_id: UUID | None = None,
    page: Page = 0,
    size: Size = 50,
) -> AlertPage:
    """Active alerts in every store where the caller holds STOCK_CARDS_VIEW, newest first."""
    stores = visible_stores(request.app.state.authorizer, who)
    if store_id is not None:
        stores = [store_id] if stores is None or store_id in stores else []
    return await _page(pool, stores, kind, item_id, page, size)


def visible_stores(authorizer: Authorizer, who: Principal) -> list[UUID] | None:
    """Stores where the caller may view stock cards; None for a service client (all stores)."""
    found = authorizer.facilities_of(who, Right.STOCK_CARDS_VIEW)
    return None if found is None else sorted(found)


async def _page(
    pool: Pool,
    stores: list[UUID] | None,
    kind: AlertKind | None,
    item: UUID | None,
    page: int,
    size: int,
) -> AlertPage:
    async with pool.acquire() as conn:
        rows, total = await alert_page(
            conn, stores, kind=kind.value if kind else None, item_id=item, page=page, size=size
        )
    return AlertPage(
        items=[AlertResponse.model_validate(r) for r in rows], page=page, size=size, total=total
    )
