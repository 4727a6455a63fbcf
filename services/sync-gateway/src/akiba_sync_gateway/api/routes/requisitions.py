"""Requisitions and internal orders at the site: the facility's side of the requisition
service's routes (same paths, models and rights), recorded here and forwarded step by step."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from akiba_contracts.requisition_http import (
    InitiateRequest,
    InternalOrderRequest,
    LinesRequest,
    OpenPeriodsResponse,
    PeriodResponse,
    RequisitionPage,
    RequisitionResponse,
    RequisitionSummary,
)
from akiba_contracts.rights import Right
from akiba_platform.auth import Caller, CallerRights, requires
from akiba_platform.http import ExpectedVersion, PageQuery, tag
from akiba_replenish import Period, RequisitionStatus
from akiba_replenish.documents import Document
from akiba_replenish.shapes import edit_of, summary, whole
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.deps import Clock, Db
from akiba_sync_gateway.requisitions import steps, views

router = APIRouter(tags=["requisitions"])
ONE = "/requisitions/{requisition_id}"
T = TypeVar("T")


class Recorder:
    """Records the signed-in user's step at this site, now, on the writer thread."""

    def __init__(self, request: Request, who: CallerRights) -> None:
        self._state, self._who = request.app.state, who

    async def __call__(self, act: Callable[[sqlite3.Connection, steps.Site], T]) -> T:
        """Run the step in one transaction (the document and its outbox event together)."""
        site = steps.Site(self._state.site_id, self._who, self._state.clock())
        db: Database = self._state.db
        return await db.write(lambda c: act(c, site))


async def _recorder(request: Request, who: Caller) -> Recorder:
    return Recorder(request, who)


Record = Annotated[Recorder, Depends(_recorder)]


def answer(doc: Document, response: Response) -> RequisitionResponse:
    """The document, its version in the ETag."""
    tag(response, doc.requisition.version)
    return whole(doc)


@router.post("/requisitions/initiate", status_code=201, response_model=RequisitionResponse,
             **requires(Right.REQUISITION_CREATE))  # fmt: skip
async def initiate(
    body: InitiateRequest, record: Record, response: Response
) -> RequisitionResponse:
    """Start the store's requisition of its oldest open period (emergency: today's), every line
    computed from the site's own ledger (REQUISITION_CREATE at the store for the program)."""
    b = body
    doc = await record(
        lambda c, s: steps.initiate(c, s, b.facility_id, b.program_id, b.emergency, b.orderable_ids)
    )
    return answer(doc, response)


@router.post("/internal-orders", status_code=201, response_model=RequisitionResponse,
             **requires(Right.REQUISITION_CREATE))  # fmt: skip
async def create_internal_order(
    body: InternalOrderRequest, record: Record, request: Request, response: Response
) -> RequisitionResponse:
    """Draft an internal order: each line suggests ceil((max MOS - MOS) x AMC) from the site's
    ledger when months of stock are at or below the threshold."""
    order = steps.InternalOrder(
        body.facility_id, body.supplying_facility_id, body.max_months_of_stock,
        body.min_months_of_stock, body.program_id, body.item_ids,
        request.app.state.amc_months, body.comment,
    )  # fmt: skip
    return answer(await record(lambda c, s: steps.create_internal_order(c, s, order)), response)


@router.get(
    "/requisitions",
    response_model=RequisitionPage,
    **requires(Right.REQUISITION_VIEW, facility="facility_id", program="program_id"),
)
async def search(
    facility_id: UUID,
    db: Db,
    paging: PageQuery,
    program_id: UUID | None = None,
    period_id: UUID | None = None,
    status: RequisitionStatus | None = None,
) -> RequisitionPage:
    """The store's requisitions at this site, newest first (REQUISITION_VIEW there)."""
    where = views.Criteria(facility_id, program_id, period_id, status)
    docs, total = await db.read(lambda c: views.page(c, where, paging.offset, paging.size))
    items = [RequisitionSummary(**summary(d)) for d in docs]
    return RequisitionPage(items=items, page=paging.page, size=paging.size, total=total)


@router.get(
    "/requisitions/periods",
    response_model=OpenPeriodsResponse,
    **requires(Right.REQUISITION_CREATE, facility="facility_id", program="program_id"),
)
async def periods(facility_id: UUID, program_id: UUID, db: Db, clock: Clock) -> OpenPeriodsResponse:
    """The period a regular requisition would be for now, and today's (for an emergency)."""
    today = clock().date()
    regular, emergency = await db.read(
        lambda c: views.open_periods(c, facility_id, program_id, today)
    )
    return OpenPeriodsResponse(regular=_period(regular), emergency=_period(emergency))


@router.get(ONE, response_model=RequisitionResponse, **requires(Right.REQUISITION_VIEW))
async def get_requisition(
    requisition_id: UUID, db: Db, gate: Caller, response: Response
) -> RequisitionResponse:
    """One requisition with every line and its history (its store's viewers)."""
    doc = await db.read(lambda c: views.one(c, gate, requisition_id))
    return answer(doc, response)


@router.put(f"{ONE}/lines", response_model=RequisitionResponse, **requires(Right.REQUISITION_VIEW))
async def edit_lines(
    requisition_id: UUID, body: LinesRequest, version: ExpectedVersion, record: Record,
    response: Response,
) -> RequisitionResponse:  # fmt: skip
    """Change requested quantities as one new version (REQUISITION_CREATE before submission,
    REQUISITION_AUTHORIZE once submitted); approved quantities are set centrally."""
    edits = [edit_of(line) for line in body.lines]
    doc = await record(lambda c, s: steps.edit(c, s, requisition_id, version, edits))
    return answer(doc, response)


Step = Callable[[sqlite3.Connection, steps.Site, UUID, int], Document]


async def _take(step: Step, requisition_id: UUID, version: int, record: Recorder) -> Document:
    return await record(lambda c, s: step(c, s, requisition_id, version))


@router.post(f"{ONE}/submit", response_model=RequisitionResponse,
             **requires(Right.REQUISITION_CREATE))  # fmt: skip
async def submit(
    requisition_id: UUID, version: ExpectedVersion, record: Record, response: Response
) -> RequisitionResponse:
    """Submit it (straight to authorized where the program skips authorization)."""
    return answer(await _take(steps.submit, requisition_id, version, record), response)


@router.post(f"{ONE}/authorize", response_model=RequisitionResponse,
             **requires(Right.REQUISITION_AUTHORIZE))  # fmt: skip
async def authorize(
    requisition_id: UUID, version: ExpectedVersion, record: Record, response: Response
) -> RequisitionResponse:
    """Authorize it; central then sends it to the store's supervisory node."""
    return answer(await _take(steps.authorize, requisition_id, version, record), response)


@router.post(f"{ONE}/skip", response_model=RequisitionResponse,
             **requires(Right.REQUISITION_CREATE))  # fmt: skip
async def skip(
    requisition_id: UUID, version: ExpectedVersion, record: Record, response: Response
) -> RequisitionResponse:
    """Skip the period, where the program allows it."""
    return answer(await _take(steps.skip, requisition_id, version, record), response)


@router.post("/internal-orders/{requisition_id}/send", response_model=RequisitionResponse,
             tags=["internal orders"], **requires(Right.REQUISITION_CREATE))  # fmt: skip
async def send(
    requisition_id: UUID, version: ExpectedVersion, record: Record, response: Response
) -> RequisitionResponse:
    """Send it to the supplying store, which sees it as a customer requisition."""
    return answer(await _take(steps.send, requisition_id, version, record), response)


@router.delete(ONE, status_code=204, **requires(Right.REQUISITION_DELETE))
async def delete(requisition_id: UUID, version: ExpectedVersion, record: Record) -> Response:
    """Delete it while its store holds it (initiated, rejected or skipped)."""
    await record(lambda c, s: steps.delete(c, s, requisition_id, version))
    return Response(status_code=204)


def _period(p: Period | None) -> PeriodResponse | None:
    if p is None:
        return None
    return PeriodResponse(
        period_id=p.period_id, start_date=p.start, end_date=p.end, months=p.months
    )
