"""Demo roles, supervision tree, users and a site, matching inventory's demo stores."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from akiba_auth.domain.model import Role, Scope, Site, User
from akiba_auth.domain.tree import RequisitionGroup, SupervisoryNode
from akiba_auth.handlers.permissions import republish_all
from akiba_auth.handlers.sites import secret_digest
from akiba_auth.outbound import group_changed, node_changed, site_changed
from akiba_auth.passwords import PasswordHasher
from akiba_auth.provisioning import admin_roles, ensure_assignment, ensure_role, ensure_user
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.rights import Right as R
from akiba_contracts.rights import RightType as T
from akiba_platform import demo_id, open_pool, require_demo

SUP, FUL = T.SUPERVISION, T.ORDER_FULFILLMENT
# As OpenLMIS's demo data gives them (PODs are supervision rights in our catalogue).
ROLES = {
    "Storeroom Manager": (
        SUP,
        [
            R.REQUISITION_CREATE,
            R.REQUISITION_DELETE,
            R.REQUISITION_VIEW,
            R.STOCK_CARDS_VIEW,
            R.STOCK_ADJUST,
            R.STOCK_INVENTORIES_EDIT,
            R.PODS_MANAGE,
            R.PODS_VIEW,
            R.IDEAL_STOCK_AMOUNT_VIEW,
        ],
    ),
    "Store Manager": (
        SUP,
        [
            R.REQUISITION_AUTHORIZE,
            R.REQUISITION_DELETE,
            R.REQUISITION_VIEW,
            R.STOCK_CARDS_VIEW,
            R.PODS_VIEW,
            R.IDEAL_STOCK_AMOUNT_VIEW,
            R.IDEAL_STOCK_AMOUNT_EDIT,
        ],
    ),
    "Program Supervisor": (
        SUP,
        [R.REQUISITION_APPROVE, R.REQUISITION_VIEW, R.STOCK_CARDS_VIEW, R.IDEAL_STOCK_AMOUNT_VIEW],
    ),
    "Stock Manager": (SUP, [R.STOCK_CARDS_VIEW, R.STOCK_ADJUST, R.STOCK_INVENTORIES_EDIT]),
    "Delivery Approver": (SUP, [R.PODS_MANAGE, R.PODS_VIEW, R.REQUISITION_VIEW]),
    "Warehouse Clerk": (FUL, [R.ORDERS_VIEW, R.ORDERS_EDIT, R.SHIPMENTS_VIEW, R.SHIPMENTS_EDIT]),
}
PROGRAMS = [demo_id("program", p) for p in ("EPI", "FP", "EM")]
REGION, DISTRICT = demo_id("node", "SN-NORTH"), demo_id("node", "SN-NORTH-D1")
NODES = [
    SupervisoryNode(REGION, "SN-NORTH", "Northern region", demo_id("store", "DEP-NORTH"), None),
    SupervisoryNode(DISTRICT, "SN-NORTH-D1", "Northern district 1", None, REGION),
]
GROUP = RequisitionGroup(
    demo_id("requisition-group", "RG-NORTH-D1"),
    "RG-NORTH-D1",
    "Northern district 1 facilities",
    DISTRICT,
    frozenset({demo_id("store", "HF-0001")}),
    frozenset(PROGRAMS),
)
HF, WH = demo_id("store", "HF-0001"), demo_id("store", "WH-NAT")
# username: (role, home store, scopes)
USERS: dict[str, tuple[str, str | None, list[Scope]]] = {
    "storeroom": ("Storeroom Manager", "HF-0001", [Scope(p) for p in PROGRAMS]),
    "storemanager": ("Store Manager", "HF-0001", [Scope(p) for p in PROGRAMS]),
    "delivery": ("Delivery Approver", "HF-0001", [Scope(p) for p in PROGRAMS]),
    "stockmanager": ("Stock Manager", "WH-NAT", [Scope(p) for p in PROGRAMS]),
    "supervisor": ("Program Supervisor", None, [Scope(p, DISTRICT) for p in PROGRAMS]),
    "regional": ("Program Supervisor", "DEP-NORTH", [Scope(p, REGION) for p in PROGRAMS]),
    "clerk": ("Warehouse Clerk", "WH-NAT", [Scope(warehouse_id=WH)]),
}
SITE = Site(demo_id("site", "SITE-HF-0001"), "Kibera Health Centre gateway", True, (HF,))


async def _roles(uow: AuthUnitOfWork) -> dict[str, Role]:
    made = {n: await ensure_role(uow, demo_id("role", n), n, k, r) for n, (k, r) in ROLES.items()}
    return made | {r.name: r for r in await admin_roles(uow)}


async def _tree(uow: AuthUnitOfWork) -> None:
    now = datetime.now(UTC)
    for node in NODES:
        if await uow.tree.node(node.node_id) is None:
            await uow.tree.add_node(node)
            uow.publish(node_changed(node, now))
    if await uow.tree.group(GROUP.group_id) is None:
        await uow.tree.add_group(GROUP)
        uow.publish(group_changed(GROUP, now))


async def _users(
    uow: AuthUnitOfWork, roles: dict[str, Role], password: str, h: PasswordHasher
) -> None:
    everyone = {**USERS, "administrator": ("System Administrator", None, [Scope()])}
    for name, (role, home, scopes) in everyone.items():
        home_id = demo_id("store", home) if home else None
        user, _ = await ensure_user(
            uow, User(demo_id("user", name), name, None, True, home_id), password, h
        )
        for scope in scopes:
            await ensure_assignment(uow, user.user_id, roles[role], scope)
        if role == "System Administrator":
            await ensure_assignment(uow, user.user_id, roles["Report Viewer"], Scope())


async def _site(uow: AuthUnitOfWork, secret: str) -> None:
    if await uow.sites.site(SITE.site_id) is None:
        await uow.sites.add_site(SITE, secret_digest(secret))
        uow.publish(site_changed(SITE, datetime.now(UTC)))


async def seed(settings: Settings) -> None:
    """Insert what is missing and publish the resulting permissions (AKIBA_DEMO=1 only)."""
    require_demo(settings.demo, "auth's demo users, roles and site")
    password = os.environ.get("AKIBA_DEMO_PASSWORD", "akiba-demo")
    site_secret = os.environ.get("AKIBA_DEMO_SITE_SECRET", "akiba-demo-site-secret")
    async with open_pool(settings) as pool, AuthUnitOfWork(pool) as uow:
        await uow.lock_permissions()
        await _tree(uow)
        await _users(uow, await _roles(uow), password, PasswordHasher.from_settings(settings))
        await _site(uow, site_secret)
        await republish_all(uow)
        await uow.commit()
    print(f"demo users: {', '.join([*USERS, 'administrator'])} (password {password!r})")
    print(f"demo site: client_id {SITE.site_id} (secret {site_secret!r})")
