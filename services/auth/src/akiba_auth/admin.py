"""`create-admin`: the first administrator, from the environment or a prompt, never a default.

`assign-role`: the operator at the server's command line gives a role in a scope. Through the
API nobody grants rights they do not hold, so the rights administrators delegate (supervision
at the top of the tree, fulfillment at warehouses) start here.
"""

from __future__ import annotations

import getpass
from uuid import uuid4

from akiba_auth.domain.errors import RoleNotFound, UserNotFound
from akiba_auth.domain.escalation import OPERATOR
from akiba_auth.domain.model import Assignment, Scope, User
from akiba_auth.handlers import users
from akiba_auth.handlers.permissions import republish
from akiba_auth.passwords import PasswordHasher
from akiba_auth.provisioning import admin_roles, ensure_assignment, ensure_user
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_platform import open_pool

MIN_PASSWORD = 12


def credentials(settings: Settings) -> tuple[str, str]:
    """Username and password from AKIBA_ADMIN_USERNAME/PASSWORD, else asked for."""
    try:
        username = settings.admin_username or input("administrator username: ").strip()
        secret = settings.admin_password
        password = secret.get_secret_value() if secret else _prompt()
    except EOFError:
        raise SystemExit("no administrator given: set AKIBA_ADMIN_USERNAME/PASSWORD") from None
    if not username:
        raise SystemExit("an administrator username is required")
    if len(password) < MIN_PASSWORD:
        raise SystemExit(f"the administrator password needs at least {MIN_PASSWORD} characters")
    return username, password


def _prompt() -> str:
    password = getpass.getpass("administrator password: ")
    if password != getpass.getpass("again: "):
        raise SystemExit("the passwords differ")
    return password


async def create_admin(settings: Settings, username: str, password: str) -> bool:
    """Create the administrator if missing and make sure they hold the admin roles."""
    hasher = PasswordHasher.from_settings(settings)
    async with open_pool(settings) as pool, AuthUnitOfWork(pool) as uow:
        await uow.lock_permissions()
        user, created = await ensure_user(
            uow, User(uuid4(), username, None, True, None), password, hasher
        )
        for role in await admin_roles(uow):
            await ensure_assignment(uow, user.user_id, role, Scope())
        await republish(uow, [user.user_id])
        await uow.commit()
    return created


async def assign_as_operator(
    settings: Settings, username: str, role_name: str, scope: Scope
) -> Assignment:
    """Give the user (any letter case) the role named so, in the scope; as the operator."""
    async with open_pool(settings) as pool:
        async with AuthUnitOfWork(pool) as uow:
            found = await uow.users.login(username)
            role = await uow.roles.by_name(role_name)
        if found is None:
            raise UserNotFound(f"no user {username!r}")
        if role is None:
            raise RoleNotFound(f"no role {role_name!r}")
        user_id = found[0].user_id
        return await users.assign_role(AuthUnitOfWork(pool), OPERATOR, user_id, role.role_id, scope)
