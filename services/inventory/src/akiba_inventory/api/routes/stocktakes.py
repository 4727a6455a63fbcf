"""Stocktakes: snapshot, counts, finalise (variances posted as stocktake balances), reads."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from akiba_contracts.fields import PageNumber, PageSize
from akiba_contracts.rights import Right
from akiba_contracts.stock_http.stocktakes import (
    CountRequest,
    StocktakeDetail,
    StocktakePage,
    StocktakeRequest,
    StocktakeResponse,
)
from akiba_inventory.api.deps import Pool, Uow
from akiba_inventory.handlers import stocktakes
from akiba_inventory.views import stocktakes as views
from akiba_platform.auth import CurrentPrincipal, ProgramScope, requires
from akiba_stock.commands import Count, CreateStocktake, EnterCounts, FinaliseStocktake
from akiba_stock.stocktake import StocktakeNotFound

router = APIRouter(tags=["stocktakes"])
EDIT = requires(Right.STOCK_INVENTORIES_EDIT, facility="store_id")
BASE = "/stores/{store_id}/stocktakes"

Page = Annotated[PageNumber, Query()]


def _response(summary: dict[str, Any]) -> StocktakeResponse:
    r = summary["record"]
    return StocktakeResponse(
        stocktake_id=r.stocktake_id,
        store_id=r.store_id,
        status=r.status.value,
        snapshot_sequence=r.snapshot_sequence,
        item_ids=list(r.scope.item_ids),
        location_ids=list(r.scope.location_ids),
        program_id=r.program_id,
        reference=r.reference,
        created_by=r.created_by,
        created_at=r.created_at,
        updated_at=r.updated_at,
        finalised_by=r.finalised_by,
        finalised_at=r.finalised_at,
        adjustments=r.adjustments,
        lines=summary["lines"],
        counted=summary["counted"],
    )


async def _summary(pool: Pool, store_id: UUID, stocktake_id: UUID) -> dict[str, Any]:
    summary = await views.stocktake(pool, store_id, stocktake_id)
    if summary is None:
        raise StocktakeNotFound(f"stocktake {stocktake_id} does not exist in store {store_id}")
    return summary


@router.post(BASE, status_code=201, response_model=StocktakeResponse, **EDIT)
async def create_stocktake(
    store_id: UUID,
    body: StocktakeRequest,
    uow: Uow,
    pool: Pool,
    who: CurrentPrincipal,
    programs: ProgramScope,
) -> StocktakeResponse:
    """Snapshot stock on hand of the chosen items and/or locations (none chosen: the store)."""
    cmd = CreateStocktake(
        store_id=store_id,
        actor=who.actor,
        item_ids=tuple(body.item_ids),
        location_ids=tuple(body.location_ids),
        program_id=body.program_id,
        reference=body.reference,
        programs=programs,
    )
    record = await stocktakes.create_stocktake(cmd, uow)
    return _response(await _summary(pool, store_id, record.stocktake_id))


@router.get(BASE, response_model=StocktakePage, **EDIT)
async def list_stocktakes(
    store_id: UUID,
    pool: Pool,
    status: Literal["draft", "counting", "finalised"] | None = None,
    page: Page = 0,
    size: Annotated[PageSize, Query()] = 50,
) -> StocktakePage:
    """The store's stocktakes, newest first."""
    rows, total = await views.stocktakes(pool, store_id, status, page, size)
    return StocktakePage(items=[_response(r) for r in rows], page=page, size=size, total=total)


@router.get(BASE + "/{stocktake_id}", response_model=StocktakeDetail, **EDIT)
async def get_stocktake(
    store_id: UUID,
    stocktake_id: UUID,
    pool: Pool,
    page: Page = 0,
    size: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> StocktakeDetail:
    """A stocktake with a page of its lines: snapshot, expected, counted and variance."""
    summary = await _summary(pool, store_id, stocktake_id)
    rows, total = await views.lines(pool, summary["record"], page, size)
    head = _response(summary).model_dump()
    return StocktakeDetail(**head, items=rows, page=page, size=size, total=total)


@router.post(BASE + "/{stocktake_id}/counts", response_model=StocktakeResponse, **EDIT)
async def enter_counts(
    store_id: UUID,
    stocktake_id: UUID,
    body: CountRequest,
    uow: Uow,
    pool: Pool,
    who: CurrentPrincipal,
    programs: ProgramScope,
) -> StocktakeResponse:
    """Enter counts, also of batches not in the snapshot; 409 once finalised."""
    counts = tuple(Count(**ln.model_dump()) for ln in body.lines)
    cmd = EnterCounts(store_id, stocktake_id, who.actor, counts, programs)
    await stocktakes.enter_counts(cmd, uow)
    return _response(await _summary(pool, store_id, stocktake_id))


@router.post(BASE + "/{stocktake_id}/finalise", response_model=StocktakeResponse, **EDIT)
async def finalise_stocktake(
    store_id: UUID,
    stocktake_id: UUID,
    uow: Uow,
    pool: Pool,
    who: CurrentPrincipal,
    programs: ProgramScope,
) -> StocktakeResponse:
    """Post each non-zero variance (reason required) so stock on hand equals the counts."""
    cmd = FinaliseStocktake(store_id, stocktake_id, who.actor, programs)
    await stocktakes.finalise_stocktake(cmd, uow)
    return _response(await _summary(pool, store_id, stocktake_id))
