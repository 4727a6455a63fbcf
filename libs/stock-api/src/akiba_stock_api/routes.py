"""The stock routes, defined once: each service mounts them over its own desk.

No `from __future__ import annotations` here: the routes are made inside the factories, and
FastAPI must see the desk dependency each factory is given when it reads their signatures.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from akiba_contracts.fields import PageNumber, PageSize
from akiba_contracts.rights import Right
from akiba_contracts.stock_http.movements import (
    AdjustmentRequest,
    IssueRequest,
    MovementResponse,
    MoveRequest,
    ReceiptRequest,
)
from akiba_contracts.stock_http.stocktakes import (
    CountRequest,
    StocktakeDetail,
    StocktakePage,
    StocktakeRequest,
    StocktakeResponse,
)
from akiba_platform.auth import CurrentPrincipal, ProgramScope, requires
from akiba_stock.commands import FinaliseStocktake
from akiba_stock.stocktake import StocktakeNotFound
from akiba_stock_api import requests
from akiba_stock_api.desk import MovementDesk, StocktakeDesk

ADJUST = requires(Right.STOCK_ADJUST, facility="store_id")
EDIT = requires(Right.STOCK_INVENTORIES_EDIT, facility="store_id")
STORE = "/stores/{store_id}"
STOCKTAKES = STORE + "/stocktakes"
Page = Annotated[PageNumber, Query()]
Status = Literal["draft", "counting", "finalised"]


def movement_routes(provide: Callable[..., Any]) -> APIRouter:
    """Receipts, issues, adjustments and location moves, recorded by the desk `provide` gives."""
    router = APIRouter(tags=["stock"])
    given = Depends(provide)  # the desk, as every route below asks for it

    @router.post(STORE + "/receipts", status_code=201, response_model=MovementResponse, **ADJUST)
    async def record_receipt(
        store_id: UUID,
        body: ReceiptRequest,
        who: CurrentPrincipal,
        programs: ProgramScope,
        desk: MovementDesk = given,
    ) -> MovementResponse:
        """Record a receipt of an item batch into the store's ledger (403 for an item of
        programs the right at the store is not held for)."""
        return await requests.receipt(desk, store_id, body, who.actor, programs)

    @router.post(
        STORE + "/issues", status_code=201, response_model=list[MovementResponse], **ADJUST
    )
    async def record_issue(
        store_id: UUID,
        body: IssueRequest,
        who: CurrentPrincipal,
        programs: ProgramScope,
        desk: MovementDesk = given,
    ) -> list[MovementResponse]:
        """Issue stock outside requisitions; 409 if a line takes more than is available."""
        return await requests.issue(desk, store_id, body, who.actor, programs)

    @router.post(
        STORE + "/adjustments", status_code=201, response_model=list[MovementResponse], **ADJUST
    )
    async def record_adjustment(
        store_id: UUID,
        body: AdjustmentRequest,
        who: CurrentPrincipal,
        programs: ProgramScope,
        desk: MovementDesk = given,
    ) -> list[MovementResponse]:
        """Adjust stock with a reason on every line; 409 if a removal overdraws a line."""
        return await requests.adjustment(desk, store_id, body, who.actor, programs)

    @router.post(
        STORE + "/location-moves", status_code=201, response_model=list[MovementResponse], **ADJUST
    )
    async def move_stock(
        store_id: UUID,
        body: MoveRequest,
        who: CurrentPrincipal,
        programs: ProgramScope,
        desk: MovementDesk = given,
    ) -> list[MovementResponse]:
        """Move units of a batch between two locations of the store."""
        return await requests.location_move(desk, store_id, body, who.actor, programs)

    return router


def stocktake_routes(provide: Callable[..., Any]) -> APIRouter:
    """Stocktakes: snapshot, counts, finalise (variances posted as stocktake balances), reads."""
    router = APIRouter(tags=["stocktakes"])
    given = Depends(provide)

    @router.post(STOCKTAKES, status_code=201, response_model=StocktakeResponse, **EDIT)
    async def create_stocktake(
        store_id: UUID,
        body: StocktakeRequest,
        who: CurrentPrincipal,
        programs: ProgramScope,
        desk: StocktakeDesk = given,
    ) -> StocktakeResponse:
        """Snapshot stock on hand of the chosen items and/or locations (none chosen: the store)."""
        cmd = requests.create_stocktake(store_id, body, who.actor, programs)
        return await _found(desk, store_id, await desk.create_stocktake(cmd))

    @router.get(STOCKTAKES, response_model=StocktakePage, **EDIT)
    async def list_stocktakes(
        store_id: UUID,
        desk: StocktakeDesk = given,
        status: Status | None = None,
        page: Page = 0,
        size: Annotated[PageSize, Query()] = 50,
    ) -> StocktakePage:
        """The store's stocktakes, newest first."""
        items, total = await desk.stocktakes(store_id, status, page, size)
        return StocktakePage(items=items, page=page, size=size, total=total)

    @router.get(STOCKTAKES + "/{stocktake_id}", response_model=StocktakeDetail, **EDIT)
    async def get_stocktake(
        store_id: UUID,
        stocktake_id: UUID,
        desk: StocktakeDesk = given,
        page: Page = 0,
        size: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    ) -> StocktakeDetail:
        """A stocktake with a page of its lines: snapshot, expected, counted and variance."""
        head = await _found(desk, store_id, stocktake_id)
        rows, total = await desk.stocktake_lines(head, page, size)
        return StocktakeDetail(**head.model_dump(), items=rows, page=page, size=size, total=total)

    @router.post(STOCKTAKES + "/{stocktake_id}/counts", response_model=StocktakeResponse, **EDIT)
    async def enter_counts(
        store_id: UUID,
        stocktake_id: UUID,
        body: CountRequest,
        who: CurrentPrincipal,
        programs: ProgramScope,
        desk: StocktakeDesk = given,
    ) -> StocktakeResponse:
        """Enter counts, also of batches not in the snapshot; 409 once finalised."""
        await desk.enter_counts(
            requests.enter_counts(store_id, stocktake_id, body, who.actor, programs)
        )
        return await _found(desk, store_id, stocktake_id)

    @router.post(STOCKTAKES + "/{stocktake_id}/finalise", response_model=StocktakeResponse, **EDIT)
    async def finalise_stocktake(
        store_id: UUID,
        stocktake_id: UUID,
        who: CurrentPrincipal,
        programs: ProgramScope,
        desk: StocktakeDesk = given,
    ) -> StocktakeResponse:
        """Post each non-zero variance (reason required) so stock on hand equals the counts."""
        await desk.finalise_stocktake(
            FinaliseStocktake(store_id, stocktake_id, who.actor, programs)
        )
        return await _found(desk, store_id, stocktake_id)

    return router


async def _found(desk: StocktakeDesk, store_id: UUID, stocktake_id: UUID) -> StocktakeResponse:
    head = await desk.stocktake(store_id, stocktake_id)
    if head is None:
        raise StocktakeNotFound(f"stocktake {stocktake_id} does not exist in store {store_id}")
    return head
