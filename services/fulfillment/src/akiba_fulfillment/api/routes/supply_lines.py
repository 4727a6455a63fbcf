"""Supply lines: which facility supplies a supervisory node for a program (SUPPLY_LINES_MANAGE)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from akiba_contracts.fulfillment_http import Page
from akiba_contracts.rights import Right
from akiba_fulfillment.adapters.supply_lines import Criteria
from akiba_fulfillment.api.deps import (
    Reader,
    Uow,
)
from akiba_fulfillment.api.schemas import (
    SupplyLineRequest,
    SupplyLineResponse,
    UpdateSupplyLineRequest,
)
from akiba_fulfillment.domain.supply_lines import SupplyLine
from akiba_fulfillment.handlers import supply_lines
from akiba_platform.auth import requires
from akiba_platform.http import ExpectedVersion, PageQuery, SeenVersion, tag

router = APIRouter(tags=["supply lines"])
MANAGE = Right.SUPPLY_LINES_MANAGE
LINES, LINE = "/supply-lines", "/supply-lines/{supply_line_id}"


def _answer(response: Response, line: SupplyLine) -> SupplyLineResponse:
    tag(response, line.version)
    return SupplyLineResponse.of(line)


@router.post(LINES, status_code=201, **requires(MANAGE))
async def create_supply_line(
    body: SupplyLineRequest, uow: Uow, response: Response
) -> SupplyLineResponse:
    """Add a supply line (409 if the node already has an active one for the program)."""
    line = await supply_lines.create(uow, body.terms())
    response.headers["Location"] = f"{LINES}/{line.supply_line_id}"
    return _answer(response, line)


@router.get(LINES, **requires(MANAGE))
async def list_supply_lines(
    reader: Reader,
    paging: PageQuery,
    node_id: UUID | None = None,
    program_id: UUID | None = None,
    supplying_facility_id: UUID | None = None,
    active: bool | None = None,
) -> Page[SupplyLineResponse]:
    """Supply lines in creation order, a page at a time, filtered by node, program, supplier."""
    criteria = Criteria(node_id, program_id, supplying_facility_id, active)
    lines, total = await supply_lines.page(reader, criteria, paging.page, paging.size)
    items = [SupplyLineResponse.of(line) for line in lines]
    return Page(items=items, page=paging.page, size=paging.size, total=total)


@router.get(LINE, **requires(MANAGE))
async def get_supply_line(
    supply_line_id: UUID, reader: Reader, response: Response
) -> SupplyLineResponse:
    """One supply line, with its version as ETag."""
    return _answer(response, await supply_lines.get(reader, supply_line_id))


@router.put(LINE, **requires(MANAGE))
async def update_supply_line(
    supply_line_id: UUID,
    body: UpdateSupplyLineRequest,
    uow: Uow,
    response: Response,
    seen: ExpectedVersion,
) -> SupplyLineResponse:
    """Replace a line's terms; If-Match is required (428 without it, 409 if stale)."""
    line = await supply_lines.update(uow, supply_line_id, seen, body.terms())
    return _answer(response, line)


@router.post(f"{LINE}/deactivate", **requires(MANAGE))
async def deactivate_supply_line(
    supply_line_id: UUID, uow: Uow, response: Response, seen: SeenVersion
) -> SupplyLineResponse:
    """Mark a line inactive; an If-Match, when sent, must be current (409 if stale)."""
    return _answer(response, await supply_lines.deactivate(uow, supply_line_id, seen))
