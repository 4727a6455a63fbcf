"""Roles: named sets of rights of one type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from uuid import UUID, uuid4

from akiba_auth.domain.errors import RoleNotFound
from akiba_auth.domain.escalation import Actor, Holdings
from akiba_auth.domain.model import Role, checked_rights
from akiba_auth.domain.tree import SupervisionTree
from akiba_auth.handlers.guard import potential, require
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


async def set_role_rights(
    uow: AuthUnitOfWork, actor: Actor, role_id: UUID, rights: Iterable[Right]
) -> Role:
    """Replace a role's rights and republish everyone holding it.

    The author must hold every right added or removed, wherever a holder gains or loses it.
    """
    async with uow:
        await uow.lock_permissions()
        old = await uow.roles.get(role_id)
        if old is None:
            raise RoleNotFound(f"role {role_id} does not exist")
        role = replace(old, rights=checked_rights(old.right_type, rights))
        tree = await uow.tree.tree()
        wanted = await _changed(uow, old, role, tree)
        await require(uow, actor, wanted, tree, f"change the rights of {role.name!r}")
        await uow.roles.save(role)
        await republish(uow, await uow.roles.holders(role_id), tree)
        await uow.commit()
    return role


async def _changed(uow: AuthUnitOfWork, old: Role, new: Role, tree: SupervisionTree) -> Holdings:
    """What the holders of the role gain or lose, and the rights added or removed."""
    names = {str(r) for r in old.rights ^ new.rights}
    changed = Holdings(rights=frozenset(names))
    for user_id in await uow.roles.holders(old.role_id):
        user = await uow.users.get(user_id)
        assert user is not None
        held = await uow.roles.of_user(user_id)
        swapped = [replace(a, role=new) if a.role.role_id == old.role_id else a for a in held]
        changed |= await potential(uow, user, tree, held) ^ await potential(
            uow, user, tree, swapped
        )
    return changed
