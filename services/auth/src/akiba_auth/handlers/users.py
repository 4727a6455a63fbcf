"""Users, passwords and role assignments.

Every change names its author (`Actor`): nobody changes their own role assignments, and
nobody grants, takes away or edits rights they do not hold themselves (`domain/escalation`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from akiba_auth.domain.errors import AssignmentNotFound, RoleNotFound, UserNotFound
from akiba_auth.domain.escalation import Actor, refuse_own
from akiba_auth.domain.model import Assignment, Scope, User, check_scope
from akiba_auth.handlers.guard import potential, require
from akiba_auth.handlers.permissions import republish
from akiba_auth.passwords import PasswordHasher
from akiba_auth.uow import AuthUnitOfWork


async def _user(uow: AuthUnitOfWork, user_id: UUID) -> User:
    user = await uow.users.get(user_id, lock=True)
    if user is None:
        raise UserNotFound(f"user {user_id} does not exist")
    return user


async def create_user(
    uow: AuthUnitOfWork,
    username: str,
    email: str | None = None,
    home_facility_id: UUID | None = None,
    active: bool = True,
) -> User:
    """Add a user (without a password or roles yet) and publish their empty permissions."""
    user = User(uuid4(), username, email, active, home_facility_id)
    async with uow:
        await uow.lock_permissions()
        await uow.users.add(user)
        await republish(uow, [user.user_id])
        await uow.commit()
    return user


async def update_user(uow: AuthUnitOfWork, actor: Actor, user_id: UUID, **changes: Any) -> User:
    """Change email, home facility or active; republish if that changes permissions.

    The author must hold every right the user holds, before and after the change (a new home
    facility moves home-scoped rights there).
    """
    async with uow:
        await uow.lock_permissions()
        before = await _user(uow, user_id)
        user = replace(before, **changes)
        tree = await uow.tree.tree()
        wanted = await potential(uow, before, tree) | await potential(uow, user, tree)
        await require(uow, actor, wanted, tree, f"edit user {before.username!r}")
        await uow.users.save(user)
        if not user.active:
            await uow.credentials.revoke_user(user_id, datetime.now(UTC))
        await republish(uow, [user_id], tree)
        await uow.commit()
    return user


async def deactivate_user(uow: AuthUnitOfWork, actor: Actor, user_id: UUID) -> User:
    """Refuse the user everywhere from now on and revoke their refresh tokens."""
    return await update_user(uow, actor, user_id, active=False)


async def set_password(
    uow: AuthUnitOfWork, hasher: PasswordHasher, actor: Actor, user_id: UUID, password: str
) -> None:
    """Replace the user's password; their refresh tokens stop working."""
    hash_ = await hasher.hash(password)
    async with uow:
        user = await _user(uow, user_id)
        tree = await uow.tree.tree()
        doing = f"set the password of {user.username!r}"
        await require(uow, actor, await potential(uow, user, tree), tree, doing)
        await uow.users.set_password(user_id, hash_)
        await uow.credentials.revoke_user(user_id, datetime.now(UTC))
        await uow.commit()


async def assign_role(
    uow: AuthUnitOfWork, actor: Actor, user_id: UUID, role_id: UUID, scope: Scope
) -> Assignment:
    """Give a user a role in a scope that fits the role's type."""
    async with uow:
        await uow.lock_permissions()
        user = await _user(uow, user_id)
        refuse_own(actor, user_id)
        role = await uow.roles.get(role_id)
        if role is None:
            raise RoleNotFound(f"role {role_id} does not exist")
        assignment = Assignment(uuid4(), role, check_scope(role.right_type, scope))
        tree = await uow.tree.tree()
        wanted = await potential(uow, user, tree, [assignment])
        await require(uow, actor, wanted, tree, f"assign the role {role.name!r}")
        await uow.roles.assign(user_id, assignment)
        await republish(uow, [user_id], tree)
        await uow.commit()
    return assignment


async def unassign_role(
    uow: AuthUnitOfWork, actor: Actor, user_id: UUID, assignment_id: UUID
) -> None:
    """Take a role assignment away."""
    async with uow:
        await uow.lock_permissions()
        user = await _user(uow, user_id)
        refuse_own(actor, user_id)
        found = [a for a in await uow.roles.of_user(user_id) if a.assignment_id == assignment_id]
        if not found:
            raise AssignmentNotFound(f"user {user_id} has no assignment {assignment_id}")
        tree = await uow.tree.tree()
        wanted = await potential(uow, user, tree, found)
        await require(uow, actor, wanted, tree, f"take the role {found[0].role.name!r} away")
        await uow.roles.unassign(user_id, assignment_id)
        await republish(uow, [user_id], tree)
        await uow.commit()
