"""Roles: named sets of rights of one type."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID, uuid4

from akiba_auth.domain.errors import RoleNotFound
from akiba_auth.domain.model import Role, checked_rights
from akiba_auth.handlers.permissions import republish
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.rights import Right, RightType


async def create_role(
    uow: AuthUnitOfWork,
    name: str,
    kind: RightType,
    rights: Iterable[Right],
    description: str | None = None,
) -> Role:
    """Add a role whose rights all belong to its type."""
    role = Role(uuid4(), name, kind, checked_rights(kind, rights), description)
    async with uow:
        await uow.roles.add(role)
        await uow.commit()
    return role


async def set_role_rights(uow: AuthUnitOfWork, role_id: UUID, rights: Iterable[Right]) -> Role:
    """Replace a role's rights and republish everyone holding it."""
    async with uow:
        await uow.lock_permissions()
        role = await uow.roles.get(role_id)
        if role is None:
            raise RoleNotFound(f"role {role_id} does not exist")
        role = Role(
            role.role_id,
            role.name,
            role.right_type,
            checked_rights(role.right_type, rights),
            role.description,
        )
        await uow.roles.save(role)
        await republish(uow, await uow.roles.holders(role_id))
        await uow.commit()
    return role
