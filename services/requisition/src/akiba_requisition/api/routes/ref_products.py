"""A program's orderables and the products each facility type is approved for (PROGRAMS_MANAGE)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_platform.http import PageQuery
from akiba_requisition.api.deps import Uow
from akiba_requisition.api.reference_schemas import (
    ApprovedProductRequest,
    ApprovedProductResponse,
    ApprovedProductUpdateRequest,
    Category,
    Page,
    ProgramOrderableRequest,
    ProgramOrderableResponse,
    ProgramOrderableUpdateRequest,
)
from akiba_requisition.api.routes.ref_common import IfMatch, Reader, paged, tagged
from akiba_requisition.domain import reference as ref
from akiba_requisition.handlers import reference as rh

router = APIRouter(tags=["reference data"])
MANAGE = Right.PROGRAMS_MANAGE
ORDERABLES = "/programs/{program_id}/orderables"
ORDERABLE = f"{ORDERABLES}/{{orderable_id}}"
APPROVED = "/programs/{program_id}/approved-products"
ONE_APPROVED = f"{APPROVED}/{{facility_type_id}}/{{orderable_id}}"


@router.post(
    ORDERABLES, status_code=201, response_model=ProgramOrderableResponse, **requires(MANAGE)
)
async def add_program_orderable(
    program_id: UUID, body: ProgramOrderableRequest, uow: Uow, response: Response
) -> ref.ProgramOrderable:
    """Add an item to the program (409 if it is there already)."""
    record = ref.ProgramOrderable(program_id, **body.model_dump())
    return tagged(response, await rh.create(uow, record))


@router.get(ORDERABLES, response_model=Page[ProgramOrderableResponse], **requires(MANAGE))
async def list_program_orderables(
    program_id: UUID,
    repo: Reader,
    paging: PageQuery,
    full_supply: bool | None = None,
    category: Category | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """The program's items in display order, a page at a time."""
    await rh.get(repo, ref.Program, (program_id,))
    criteria = {"full_supply": full_supply, "category": category, "active": active}
    return await paged(repo, ref.ProgramOrderable, paging, program_id=program_id, **criteria)


@router.get(ORDERABLE, response_model=ProgramOrderableResponse, **requires(MANAGE))
async def get_program_orderable(
    program_id: UUID, orderable_id: UUID, repo: Reader, response: Response
) -> ref.ProgramOrderable:
    """One item of the program; its ETag is its version."""
    return tagged(response, await rh.get(repo, ref.ProgramOrderable, (program_id, orderable_id)))


@router.put(ORDERABLE, response_model=ProgramOrderableResponse, **requires(MANAGE))
async def update_program_orderable(
    program_id: UUID,
    orderable_id: UUID,
    body: ProgramOrderableUpdateRequest,
    uow: Uow,
    seen: IfMatch,
    response: Response,
) -> ref.ProgramOrderable:
    """Replace an item's settings under the program (If-Match: its version)."""
    key, changes = (program_id, orderable_id), body.model_dump()
    return tagged(response, await rh.update(uow, ref.ProgramOrderable, key, seen, **changes))


@router.post(f"{ORDERABLE}/deactivate", response_model=ProgramOrderableResponse, **requires(MANAGE))
async def deactivate_program_orderable(
    program_id: UUID, orderable_id: UUID, uow: Uow, response: Response
) -> ref.ProgramOrderable:
    """Take an item out of the program's requisitions."""
    key = (program_id, orderable_id)
    return tagged(response, await rh.deactivate(uow, ref.ProgramOrderable, key))


@router.post(APPROVED, status_code=201, response_model=ApprovedProductResponse, **requires(MANAGE))
async def approve_product(
    program_id: UUID, body: ApprovedProductRequest, uow: Uow, response: Response
) -> ref.ApprovedProduct:
    """Approve one of the program's items for a facility type (409 if it is already)."""
    record = ref.ApprovedProduct(program_id=program_id, **body.model_dump())
    return tagged(response, await rh.create(uow, record))


@router.get(APPROVED, response_model=Page[ApprovedProductResponse], **requires(MANAGE))
async def list_approved_products(
    program_id: UUID,
    repo: Reader,
    paging: PageQuery,
    facility_type_id: UUID | None = None,
    orderable_id: UUID | None = None,
    active: bool | None = None,
) -> dict[str, Any]:
    """The program's approved products by facility type and item, a page at a time."""
    await rh.get(repo, ref.Program, (program_id,))
    criteria = {"facility_type_id": facility_type_id, "orderable_id": orderable_id}
    return await paged(
        repo, ref.ApprovedProduct, paging, program_id=program_id, active=active, **criteria
    )


@router.get(ONE_APPROVED, response_model=ApprovedProductResponse, **requires(MANAGE))
async def get_approved_product(
    program_id: UUID, facility_type_id: UUID, orderable_id: UUID, repo: Reader, response: Response
) -> ref.ApprovedProduct:
    """One approved product; its ETag is its version."""
    key = (facility_type_id, program_id, orderable_id)
    return tagged(response, await rh.get(repo, ref.ApprovedProduct, key))


@router.put(ONE_APPROVED, response_model=ApprovedProductResponse, **requires(MANAGE))
async def update_approved_product(
    program_id: UUID,
    facility_type_id: UUID,
    orderable_id: UUID,
    body: ApprovedProductUpdateRequest,
    uow: Uow,
    seen: IfMatch,
    response: Response,
) -> ref.ApprovedProduct:
    """Replace how much stock the facility type keeps of the item (If-Match: its version)."""
    key = (facility_type_id, program_id, orderable_id)
    changes = body.model_dump()
    return tagged(response, await rh.update(uow, ref.ApprovedProduct, key, seen, **changes))


@router.post(
    f"{ONE_APPROVED}/deactivate", response_model=ApprovedProductResponse, **requires(MANAGE)
)
async def deactivate_approved_product(
    program_id: UUID, facility_type_id: UUID, orderable_id: UUID, uow: Uow, response: Response
) -> ref.ApprovedProduct:
    """Withdraw the item's approval for the facility type."""
    key = (facility_type_id, program_id, orderable_id)
    return tagged(response, await rh.deactivate(uow, ref.ApprovedProduct, key))
