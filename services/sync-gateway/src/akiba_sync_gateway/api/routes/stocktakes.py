"""Stocktakes at the site: snapshot, counts, finalise (variances posted as stocktake balances)."""

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
from akiba_platform.auth import CurrentPrincipal, ProgramScope, requires
from akiba_stock.commands import Count, CreateStocktake, EnterCounts, FinaliseStocktake
from akiba_stock.stocktake import StocktakeNotFound
from akiba_sync_gateway import stocktakes, views
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.api.deps import Clock, Db, Site

router = APIRouter(tags=["stocktakes"])
EDIT = requires(Right.STOCK_INVENTORIES_EDIT, facility="store_id")
BASE = "/stores/{store_id}/stocktakes"
Page = Annotated[PageNumber, Query()]


def _response(r: dict[str, Any]) -> StocktakeResponse:
    return StocktakeResponse.model_validate(r)


async def _summary(db: Database, store_id: UUID, stocktake_id: UUID) -> dict[str, Any]:
    found = await db.read(lambda c: views.stocktake(c, store_id, stocktake_id))
    if found is None:
        raise StocktakeNotFound(f"stocktake {stocktake_id} does not exist in store {store_id}")
    return found


@router.post(BASE, status_code=201, response_model=StocktakeResponse, **EDIT)
async def create_stocktake(
    store_id: UUID,
    body: StocktakeRequest,
    db: Db,
    clock: Clock,
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
    stocktake_id = await db.write(lambda c: stocktakes.create(Tx(c), cmd, clock()))
    return _response(await _summary(db, store_id, stocktake_id))


@router.get(BASE, response_model=StocktakePage, **EDIT)
async def list_stocktakes(
    store_id: UUID,
    db: Db,
    status: Literal["draft", "counting", "finalised"] | None = None,
    page: Page = 0,
    size: Annotated[PageSize, Query()] = 50,
) -> StocktakePage:
    """The store's stocktakes, newest first."""
    rows, total = await db.read(lambda c: views.stocktakes(c, store_id, status, page, size))
    return StocktakePage(items=[_response(r) for r in rows], page=page, size=size, total=total)


@router.get(BASE + "/{stocktake_id}", response_model=StocktakeDetail, **EDIT)
async def get_stocktake(
    store_id: UUID,
    stocktake_id: UUID,
    db: Db,
    page: Page = 0,
    size: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> StocktakeDetail:
    """A stocktake with a page of its lines: snapshot, expected, counted and variance."""
    head = _response(await _summary(db, store_id, stocktake_id)).model_dump()
    rows, total = await db.read(lambda c: views.stocktake_lines(c, stocktake_id, page, size))
    return StocktakeDetail(**head, items=rows, page=page, size=size, total=total)


@router.post(BASE + "/{stocktake_id}/counts", response_model=StocktakeResponse, **EDIT)
async def enter_counts(
    store_id: UUID,
    stocktake_id: UUID,
    body: CountRequest,
    db: Db,
    clock: Clock,
    who: CurrentPrincipal,
    programs: ProgramScope,
) -> StocktakeResponse:
    """Enter counts, also of batches not in the snapshot; 409 once finalised."""
    counts = tuple(Count(**ln.model_dump()) for ln in body.lines)
    cmd = EnterCounts(store_id, stocktake_id, who.actor, counts, programs)
    await db.write(lambda c: stocktakes.enter_counts(Tx(c), cmd, clock()))
    return _response(await _summary(db, store_id, stocktake_id))


@router.post(BASE + "/{stocktake_id}/finalise", response_model=StocktakeResponse, **EDIT)
async def finalise_stocktake(
    store_id: UUID,
    stocktake_id: UUID,
    db: Db,
    site: Site,
    clock: Clock,
    who: CurrentPrincipal,
    programs: ProgramScope,
) -> StocktakeResponse:
    """Post each non-zero variance (reason required) so stock on hand equals the counts."""
    cmd = FinaliseStocktake(store_id, stocktake_id, who.actor, programs)
    await db.write(lambda c: stocktakes.finalise(Tx(c), site, cmd, clock()))
    return _response(await _summary(db, store_id, stocktake_id))
