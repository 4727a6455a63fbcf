"""Finding requisitions: by facility, waiting at my nodes, to convert at my supplier, the
periods a facility may initiate, counts by status."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter

from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_replenish import Period
from akiba_replenish import RequisitionStatus as S
from akiba_requisition import views
from akiba_requisition.api.deps import Pool, Uow
from akiba_requisition.api.gate import Caller
from akiba_requisition.api.requisition_schemas import (
    CountsResponse,
    OpenPeriodsResponse,
    PeriodResponse,
    RequisitionPage,
)
from akiba_requisition.handlers.initiate import open_periods

router = APIRouter(tags=["requisitions"])


@router.get(
    "/requisitions",
    response_model=RequisitionPage,
    **requires(Right.REQUISITION_VIEW, facility="facility_id", program="program_id"),
)
async def search(
    facility_id: UUID,
    pool: Pool,
    paging: PageQuery,
    program_id: UUID | None = None,
    period_id: UUID | None = None,
    status: S | None = None,
) -> dict[str, Any]:
    """A facility's requisitions, newest first (REQUISITION_VIEW there)."""
    criteria = views.Criteria(facility_id, program_id, period_id, status)
    return await views.page(pool, criteria, paging)


@router.get(
    "/requisitions/for-approval",
    response_model=RequisitionPage,
    **requires(Right.REQUISITION_APPROVE),
)
async def for_approval(
    pool: Pool, gate: Caller, paging: PageQuery, program_id: UUID | None = None
) -> dict[str, Any]:
    """Requisitions waiting at the nodes where I approve (for a program, if given)."""
    nodes = [(n, p) for n, p in gate.nodes(Right.REQUISITION_APPROVE) if program_id in (None, p)]
    criteria = views.Criteria(statuses=(S.AUTHORIZED, S.IN_APPROVAL), nodes=nodes, internal=False)
    return await views.page(pool, criteria, paging)


@router.get(
    "/requisitions/for-release",
    response_model=RequisitionPage,
    **requires(Right.ORDERS_EDIT, facility="supplying_facility_id"),
)
async def for_release(supplying_facility_id: UUID, pool: Pool, paging: PageQuery) -> dict[str, Any]:
    """Approved program requisitions this facility supplies, to convert to orders."""
    criteria = views.Criteria(supplier=supplying_facility_id, status=S.APPROVED, internal=False)
    return await views.page(pool, criteria, paging)


@router.get(
    "/requisitions/periods",
    response_model=OpenPeriodsResponse,
    **requires(Right.REQUISITION_CREATE, facility="facility_id", program="program_id"),
)
async def periods(facility_id: UUID, program_id: UUID, uow: Uow) -> OpenPeriodsResponse:
    """The period a regular requisition would be for now, and today's (for an emergency)."""
    async with uow:
        regular, emergency = await open_periods(uow, facility_id, program_id, _today())
    return OpenPeriodsResponse(regular=_period(regular), emergency=_period(emergency))


@router.get(
    "/requisitions/counts",
    response_model=CountsResponse,
    **requires(Right.REQUISITION_VIEW, facility="facility_id", program="program_id"),
)
async def counts(facility_id: UUID, pool: Pool, program_id: UUID | None = None) -> CountsResponse:
    """How many of the facility's requisitions stand at each status."""
    criteria = views.Criteria(facility_id, program_id)
    return CountsResponse(counts=await views.counts(pool, criteria))


def _period(p: Period | None) -> PeriodResponse | None:
    if p is None:
        return None
    return PeriodResponse(
        period_id=p.period_id, start_date=p.start, end_date=p.end, months=p.months
    )


def _today() -> date:
    return datetime.now(UTC).date()
