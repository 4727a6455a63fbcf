"""Users, passwords and role assignments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from akiba_auth.domain.errors import AssignmentNotFound, RoleNotFound, UserNotFound
from akiba_auth.domain.model import Assignment, Scope, User, check_scope
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


async def update_user(uow: AuthUnitOfWork, user_id: UUID, **changes: Any) -> User:
    """Change email, home facility or active; republish if that changes permissions."""
    async with uow:
        await uow.lock_permissions()
        user = replace(await _user(uow, user_id), **changes)
        await uow.users.save(user)
        if not user.active:
            await uow.credentials.revoke_user(user_id, datetime.now(UTC))
        await republish(uow, [user_id])
        await uow.commit()
    return user


async def deactivate_user(uow: AuthUnitOfWork, user_id: UUID) -> User:
    """Refuse the user everywhere from now on and revoke their refresh tokens."""
    return await update_user(uow, user_id, active=False)


async def set_password(
    uow: AuthUnitOfWork, hasher: PasswordHasher, user_id: UUID, password: str
) -> None:
    """Replace the user's password; their refresh tokens stop working."""
    hash_ = await hasher.hash(password)
    async with uow:
        await _user(uow, user_id)
        await uow.users.set_password(user_id, hash_)
        await uow.credentials.revoke_user(user_id, datetime.now(UTC))
        await uow.commit()


async def assign_role(
    uow: AuthUnitOfWork, user_id: UUID, role_id: UUID, scope: Scope
) -> Assignment:
    """Give a user a role in a scope that fits the role's type."""
    async with uow:
        await uow.lock_permissions()
        await _user(uow, user_id)
        role = await uow.roles.get(role_id)
        if role is None:
            raise RoleNotFound(f"role {role_id} does not exist")
        assignment = Assignment(uuid4(), role, check_scope(role.right_type, scope))
        await uow.roles.assign(user_id, assignment)
        await republish(uow, [user_id])
        await uow.commit()
    return assignment


async def unassign_role(uow: AuthUnitOfWork, user_id: UUID, assignment_id: UUID) -> None:
    """Take a role assignment away."""
    async with uow:
        await uow.lock_permissions()
        await _user(uow, user_id)
        if not await uow.roles.unassign(user_id, assignment_id):
            raise AssignmentNotFound(f"user {user_id} has no assignment {assignment_id}")
        await republish(uow, [user_id])
        await uow.commit()
