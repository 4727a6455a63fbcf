"""Idempotent set-up steps shared by `create-admin` and `seed-demo`."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID, uuid4

from akiba_auth.domain.model import Assignment, Role, Scope, User, check_scope, checked_rights
from akiba_auth.passwords import PasswordHasher
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.rights import Right, RightType, rights_of_type

ADMIN_ROLE = "System Administrator"
REPORTS_ROLE = "Report Viewer"


async def ensure_role(
    uow: AuthUnitOfWork, role_id: UUID, name: str, kind: RightType, rights: Iterable[Right]
) -> Role:
    """The role with this name, created or given exactly these rights."""
    wanted = checked_rights(kind, rights)
    role = await uow.roles.by_name(name)
    if role is None:
        role = Role(role_id, name, kind, wanted)
        await uow.roles.add(role)
    elif role.rights != wanted:
        role = Role(
            role.role_id, role.name, role.right_type, checked_rights(role.right_type, wanted)
        )
        await uow.roles.save(role)
    return role


async def ensure_user(
    uow: AuthUnitOfWork, user: User, password: str, hasher: PasswordHasher
) -> tuple[User, bool]:
    """The user with this username (any case), created with the password if missing."""
    found = await uow.users.login(user.username)
    if found is not None:
        return found[0], False
    await uow.users.add(user)
    await uow.users.set_password(user.user_id, await hasher.hash(password))
    return user, True


async def ensure_assignment(uow: AuthUnitOfWork, user_id: UUID, role: Role, scope: Scope) -> None:
    """Give the role in this scope unless the user already has it."""
    held = await uow.roles.of_user(user_id)
    if any(a.role.role_id == role.role_id and a.scope == scope for a in held):
        return
    check_scope(role.right_type, scope)
    await uow.roles.assign(user_id, Assignment(uuid4(), role, scope))


async def admin_roles(uow: AuthUnitOfWork) -> list[Role]:
    """Every administration right, and the reports right (a role holds one type only)."""
    from akiba_platform import demo_id

    return [
        await ensure_role(
            uow,
            demo_id("role", ADMIN_ROLE),
            ADMIN_ROLE,
            RightType.GENERAL_ADMIN,
            rights_of_type(RightType.GENERAL_ADMIN),
        ),
        await ensure_role(
            uow,
            demo_id("role", REPORTS_ROLE),
            REPORTS_ROLE,
            RightType.REPORTS,
            rights_of_type(RightType.REPORTS),
        ),
    ]
