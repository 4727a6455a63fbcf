"""Requisition templates (PROGRAMS_MANAGE): columns validated as a whole, every problem named."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Response

from akiba_contracts.fields import SearchText
from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_replenish.templates import Column
from akiba_requisition.api.deps import Uow
from akiba_requisition.api.reference_schemas import (
    Page,
    TemplateRequest,
    TemplateResponse,
    TemplateUpdateRequest,
)
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
TEMPLATES, TEMPLATE = "/templates", "/templates/{template_id}"


def _fields(body: TemplateUpdateRequest) -> dict[str, Any]:
    fields = body.model_dump(exclude={"columns", "facility_type_ids"})
    columns = {name: Column(c.source, c.displayed) for name, c in body.columns.items()}
    return {**fields, "columns": columns, "facility_type_ids": tuple(body.facility_type_ids)}


@router.post(TEMPLATES, status_code=201, response_model=TemplateResponse, **requires(MANAGE))
async def create_template(
    body: TemplateRequest, uow: Uow, response: Response
) -> ref.RequisitionTemplate:
    """Add a template to a program (422 naming every problem of its columns; 409 if an active
    template of the program covers one of its facility types, or is the default already)."""
    with template_problems():
        template = await rh.create(uow, ref.RequisitionTemplate(uuid4(), **_fields(body)))
    return tagged(response, template)


@router.get(TEMPLATES, response_model=Page[TemplateResponse], **requires(MANAGE))
async def list_templates(
    repo: Reader,
    paging: PageQuery,
    program_id: UUID | None = None,
    facility_type_id: UUID | None = None,
    active: bool | None = None,
    q: SearchText | None = None,
) -> dict[str, Any]:
    """Templates by program and name, a page at a time (`q` searches the name)."""
    criteria = {"program_id": program_id, "facility_type_id": facility_type_id, "q": q}
    return await paged(repo, ref.RequisitionTemplate, paging, active=active, **criteria)


@router.get(TEMPLATE, response_model=TemplateResponse, **requires(MANAGE))
async def get_template(
    template_id: UUID, repo: Reader, response: Response
) -> ref.RequisitionTemplate:
    """One template; its ETag is its version."""
    return tagged(response, await rh.get(repo, ref.RequisitionTemplate, (template_id,)))


@router.put(TEMPLATE, response_model=TemplateResponse, **requires(MANAGE))
async def update_template(
    template_id: UUID, body: TemplateUpdateRequest, uow: Uow, seen: IfMatch, response: Response
) -> ref.RequisitionTemplate:
    """Replace a template's columns and settings (If-Match: its version; 422 names problems)."""
    key = (template_id,)
    with template_problems():
        changed = await rh.update(uow, ref.RequisitionTemplate, key, seen, **_fields(body))
    return tagged(response, changed)


@router.post(f"{TEMPLATE}/deactivate", response_model=TemplateResponse, **requires(MANAGE))
async def deactivate_template(
    template_id: UUID, uow: Uow, response: Response
) -> ref.RequisitionTemplate:
    """Retire a template: new requisitions no longer use it."""
    return tagged(response, await rh.deactivate(uow, ref.RequisitionTemplate, (template_id,)))
