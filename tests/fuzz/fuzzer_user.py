"""The fuzzer's own user at auth: every right, at the demo stores it aims at.

The demo administrator holds the administration rights only; stock routes need supervision
rights at the store (and fulfillment ones at a warehouse). The fuzzer gets one role per right
type holding all of that type, scoped to the national warehouse (its home) and, through the
northern region's node, to the demo site's health centre, so a site caches it too and its
local sign-in works. Written with auth's own provisioning code before auth starts serving.
"""

from __future__ import annotations

from akiba_auth.domain.model import Role, Scope, User
from akiba_auth.handlers.permissions import republish
from akiba_auth.passwords import PasswordHasher
from akiba_auth.provisioning import ensure_assignment, ensure_role, ensure_user
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.rights import RightType, rights_of_type
from akiba_platform.db import open_pool
from akiba_platform.demo import demo_id

USERNAME = "fuzzer"
HOME = demo_id("store", "WH-NAT")
SITE_STORE = demo_id("store", "HF-0001")
REGION = demo_id("node", "SN-NORTH")
PROGRAMS = [demo_id("program", p) for p in ("EPI", "FP", "EM")]


def _role_name(kind: RightType) -> str:
    return f"Fuzzing: every {kind.value.lower().replace('_', ' ')} right"


def protected_ids() -> list[str]:
    """The fuzzer's user and role ids: the run must not take its own rights away."""
    roles = [demo_id("role", _role_name(k)) for k in RightType]
    return [str(i) for i in [demo_id("user", USERNAME), *roles]]


def _scopes(kind: RightType) -> list[Scope]:
    if kind is RightType.SUPERVISION:
        return [Scope(p) for p in PROGRAMS] + [Scope(p, REGION) for p in PROGRAMS]
    if kind is RightType.ORDER_FULFILLMENT:
        return [Scope(warehouse_id=HOME)]
    return [Scope()]


async def _role(uow: AuthUnitOfWork, kind: RightType) -> Role:
    name = _role_name(kind)
    return await ensure_role(uow, demo_id("role", name), name, kind, rights_of_type(kind))


async def provision(database_url: str, password: str) -> None:
    """Create the fuzzer with every right and queue its permissions for auth's relay."""
    settings = Settings(database_url=database_url)
    hasher = PasswordHasher.from_settings(settings)
    async with open_pool(settings) as pool, AuthUnitOfWork(pool) as uow:
        await uow.lock_permissions()
        fuzzer = User(demo_id("user", USERNAME), USERNAME, None, True, HOME)
        user, _ = await ensure_user(uow, fuzzer, password, hasher)
        for kind in RightType:
            role = await _role(uow, kind)
            for scope in _scopes(kind):
                await ensure_assignment(uow, user.user_id, role, scope)
        await republish(uow, [user.user_id])
        await uow.commit()
