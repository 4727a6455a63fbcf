"""Roles."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from akiba_auth.api.deps import ActorDep, Uow
from akiba_auth.api.schemas import RoleRequest, RoleResponse, RoleRightsRequest
from akiba_auth.domain.errors import RoleNotFound
from akiba_auth.handlers import roles
from akiba_contracts.rights import Right
from akiba_platform.auth import requires

router = APIRouter(tags=["roles"])


@router.post("/roles", status_code=201, **requires(Right.USER_ROLES_MANAGE))
async def create_role(body: RoleRequest, uow: Uow) -> RoleResponse:
    """Add a role; every right must belong to its type (422), names are unique (409)."""
    role = await roles.create_role(uow, body.name, body.type, body.rights, body.description)
    return RoleResponse.of(role)


@router.get("/roles", **requires(Right.USER_ROLES_MANAGE))
async def list_roles(uow: Uow) -> list[RoleResponse]:
    """Every role."""
    async with uow:
        return [RoleResponse.of(r) for r in await uow.roles.all()]


@router.get("/roles/{role_id}", **requires(Right.USER_ROLES_MANAGE))
async def get_role(role_id: UUID, uow: Uow) -> RoleResponse:
    """One role."""
    async with uow:
        role = await uow.roles.get(role_id)
    if role is None:
        raise RoleNotFound(f"role {role_id} does not exist")
    return RoleResponse.of(role)


@router.put("/roles/{role_id}/rights", **requires(Right.USER_ROLES_MANAGE))
async def set_rights(
    role_id: UUID, body: RoleRightsRequest, uow: Uow, actor: ActorDep
) -> RoleResponse:
    """Replace the role's rights; everyone holding it gets new permissions (403 if that adds
    or removes rights the caller does not hold where its holders hold them)."""
    return RoleResponse.of(await roles.set_role_rights(uow, actor, role_id, body.rights))
