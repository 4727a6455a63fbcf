"""Processing schedules, their periods and the schedule each group follows (PROGRAMS_MANAGE)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Response

from akiba_contracts.fields import SearchText
from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_requisition.api.deps import Uow
from akiba_requisition.api.reference_schemas import (
    GroupScheduleRequest,
    GroupScheduleResponse,
    GroupScheduleUpdateRequest,
    Page,
    PeriodRequest,
    PeriodResponse,
    ScheduleRequest,
    ScheduleResponse,
)
from akiba_requisition.api.routes.ref_common import IfMatch, Reader, paged, tagged
from akiba_requisition.domain import reference as ref
from akiba_requisition.handlers import reference as rh

router = APIRouter(tags=["reference data"])
MANAGE = Right.PROGRAMS_MANAGE
SCHEDULES, SCHEDULE = "/schedules", "/schedules/{schedule_id}"
PERIODS, PERIOD = f"{SCHEDULE}/periods", f"{SCHEDULE}/periods/{{period_id}}"
GROUPS, GROUP = "/group-schedules", "/group-schedules/{group_id}/{program_id}"


def _period(p: ref.Period) -> dict[str, Any]:
    return {**asdict(p), "months": p.months}


@router.post(SCHEDULES, status_code=201, response_model=ScheduleResponse, **requires(MANAGE))
async def create_schedule(body: ScheduleRequest, uow: Uow, response: Response) -> ref.Schedule:
    """Add a processing schedule (409 if the code is taken)."""
    return tagged(response, await rh.create(uow, ref.Schedule(uuid4(), **body.model_dump())))


@router.get(SCHEDULES, response_model=Page[ScheduleResponse], **requires(MANAGE))
async def list_schedules(
    repo: Reader, paging: PageQuery, q: SearchText | None = None
) -> dict[str, Any]:
    """Schedules by code, a page at a time (`q` searches code and name)."""
    return await paged(repo, ref.Schedule, paging, q=q)


@router.get(SCHEDULE, response_model=ScheduleResponse, **requires(MANAGE))
async def get_schedule(schedule_id: UUID, repo: Reader, response: Response) -> ref.Schedule:
    """One schedule; its ETag is its version."""
    return tagged(response, await rh.get(repo, ref.Schedule, (schedule_id,)))


@router.put(SCHEDULE, response_model=ScheduleResponse, **requires(MANAGE))
async def update_schedule(
    schedule_id: UUID, body: ScheduleRequest, uow: Uow, seen: IfMatch, response: Response
) -> ref.Schedule:
    """Replace a schedule's fields (If-Match: its version)."""
    changes = body.model_dump()
    return tagged(response, await rh.update(uow, ref.Schedule, (schedule_id,), seen, **changes))


@router.post(PERIODS, status_code=201, response_model=PeriodResponse, **requires(MANAGE))
async def add_period(
    schedule_id: UUID, body: PeriodRequest, uow: Uow, response: Response
) -> dict[str, Any]:
    """Add a period to the schedule (422 if it shares a day with another)."""
    period = ref.Period(uuid4(), schedule_id, **body.model_dump())
    return _period(tagged(response, await rh.create(uow, period)))


@router.get(PERIODS, response_model=Page[PeriodResponse], **requires(MANAGE))
async def list_periods(
    schedule_id: UUID,
    repo: Reader,
    paging: PageQuery,
    ending_from: date | None = None,
    starting_until: date | None = None,
) -> dict[str, Any]:
    """The schedule's periods in order, a page at a time (those touching the dates given)."""
    await rh.get(repo, ref.Schedule, (schedule_id,))
    dates = {"ending_from": ending_from, "starting_until": starting_until}
    found = await paged(repo, ref.Period, paging, schedule_id=schedule_id, **dates)
    return {**found, "items": [_period(p) for p in found["items"]]}


@router.get(PERIOD, response_model=PeriodResponse, **requires(MANAGE))
async def get_period(
    schedule_id: UUID, period_id: UUID, repo: Reader, response: Response
) -> dict[str, Any]:
    """One period of the schedule, with its length in months; its ETag is its version."""
    within = {"schedule_id": schedule_id}
    return _period(tagged(response, await rh.get(repo, ref.Period, (period_id,), within=within)))


@router.put(PERIOD, response_model=PeriodResponse, **requires(MANAGE))
async def update_period(
    schedule_id: UUID,
    period_id: UUID,
    body: PeriodRequest,
    uow: Uow,
    seen: IfMatch,
    response: Response,
) -> dict[str, Any]:
    """Change a period's name or dates (If-Match: its version); no overlap with another."""
    within = {"schedule_id": schedule_id}
    changed = await rh.update(uow, ref.Period, (period_id,), seen, within, **body.model_dump())
    return _period(tagged(response, changed))


@router.post(GROUPS, status_code=201, response_model=GroupScheduleResponse, **requires(MANAGE))
async def set_group_schedule(
    body: GroupScheduleRequest, uow: Uow, response: Response
) -> ref.GroupSchedule:
    """Say which schedule a requisition group follows for a program (409 if it has one)."""
    return tagged(response, await rh.create(uow, ref.GroupSchedule(**body.model_dump())))


@router.get(GROUPS, response_model=Page[GroupScheduleResponse], **requires(MANAGE))
async def list_group_schedules(
    repo: Reader,
    paging: PageQuery,
    group_id: UUID | None = None,
    program_id: UUID | None = None,
    schedule_id: UUID | None = None,
) -> dict[str, Any]:
    """Which schedule each group follows for each program, a page at a time."""
    criteria = {"group_id": group_id, "program_id": program_id, "schedule_id": schedule_id}
    return await paged(repo, ref.GroupSchedule, paging, **criteria)


@router.get(GROUP, response_model=GroupScheduleResponse, **requires(MANAGE))
async def get_group_schedule(
    group_id: UUID, program_id: UUID, repo: Reader, response: Response
) -> ref.GroupSchedule:
    """The schedule the group follows for the program; its ETag is its version."""
    return tagged(response, await rh.get(repo, ref.GroupSchedule, (group_id, program_id)))


@router.put(GROUP, response_model=GroupScheduleResponse, **requires(MANAGE))
async def change_group_schedule(
    group_id: UUID,
    program_id: UUID,
    body: GroupScheduleUpdateRequest,
    uow: Uow,
    seen: IfMatch,
    response: Response,
) -> ref.GroupSchedule:
    """Move the group to another schedule for the program (If-Match: its version)."""
    key = (group_id, program_id)
    changed = await rh.update(uow, ref.GroupSchedule, key, seen, **body.model_dump())
    return tagged(response, changed)
