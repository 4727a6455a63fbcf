"""Programs (PROGRAMS_MANAGE)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Response

from akiba_contracts.fields import SearchText
from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_requisition.api.deps import Uow
from akiba_requisition.api.reference_schemas import Page, ProgramRequest, ProgramResponse
from akiba_requisition.api.routes.ref_common import (
    IfMatch,
    Reader,
    paged,
    tagged,
    template_problems,
)
from akiba_requisition.domain import reference as ref
from akiba_requisition.handlers import reference as rh

router = APIRouter(tags=["reference data"])
MANAGE = Right.PROGRAMS_MANAGE
PROGRAMS, PROGRAM = "/programs", "/programs/{program_id}"


@router.post(PROGRAMS, status_code=201, response_model=ProgramResponse, **requires(MANAGE))
async def create_program(body: ProgramRequest, uow: Uow, response: Response) -> ref.Program:
    """Add a program (409 if the code is taken)."""
    return tagged(response, await rh.create(uow, ref.Program(uuid4(), **body.model_dump())))


@router.get(PROGRAMS, response_model=Page[ProgramResponse], **requires(MANAGE))
async def list_programs(
    repo: Reader, paging: PageQuery, active: bool | None = None, q: SearchText | None = None
) -> dict[str, Any]:
    """Programs by code, a page at a time (`q` searches code and name)."""
    return await paged(repo, ref.Program, paging, active=active, q=q)


@router.get(PROGRAM, response_model=ProgramResponse, **requires(MANAGE))
async def get_program(program_id: UUID, repo: Reader, response: Response) -> ref.Program:
    """One program; its ETag is its version."""
    return tagged(response, await rh.get(repo, ref.Program, (program_id,)))


@router.put(PROGRAM, response_model=ProgramResponse, **requires(MANAGE))
async def update_program(
    program_id: UUID, body: ProgramRequest, uow: Uow, seen: IfMatch, response: Response
) -> ref.Program:
    """Replace a program's fields (If-Match: its version); its templates must still work."""
    with template_problems():
        changed = await rh.update(uow, ref.Program, (program_id,), seen, **body.model_dump())
    return tagged(response, changed)


@router.post(f"{PROGRAM}/deactivate", response_model=ProgramResponse, **requires(MANAGE))
async def deactivate_program(program_id: UUID, uow: Uow, response: Response) -> ref.Program:
    """Mark a program inactive: no new requisitions for it."""
    return tagged(response, await rh.deactivate(uow, ref.Program, (program_id,)))
