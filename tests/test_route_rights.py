"""Every route of every service declares its right, and enforces it: allowed and refused cases.

Routes come from each service's OpenAPI, so a new route is covered the day it is added. A
route declares either a right (`x-akiba-right`, from `requires`) or that only the site its
path names may call it (`x-akiba-site`, from `requires_site`).
"""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from akiba_contracts.rights import Right, RightType, right_type
from akiba_devtools.discovery import discover
from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool
from akiba_platform.services import ServiceSpec
from akiba_platform.testing.tokens import TestIssuer

SERVICES = discover()


@dataclass(frozen=True)
class Route:
    """One operation of one service and the right it declares."""

    service: ServiceSpec
    method: str
    path: str
    op: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.service.name} {self.method.upper()} {self.path}"


def _app(spec: ServiceSpec, *args: Any) -> Any:
    app_module = importlib.import_module(f"{spec.module}.api.app")
    settings = importlib.import_module(f"{spec.module}.settings").Settings()
    return app_module.create_app(settings, *args)


def _routes() -> list[Route]:
    return [
        Route(spec, method, path, op)
        for spec in SERVICES
        for path, ops in _app(spec).openapi()["paths"].items()
        for method, op in ops.items()
    ]


ROUTES = _routes()
PROTECTED = [r for r in ROUTES if not r.op.get("x-akiba-public")]
SITE_ONLY = [r for r in PROTECTED if r.op.get("x-akiba-site")]
BY_RIGHT = [r for r in PROTECTED if not r.op.get("x-akiba-site")]


def test_every_route_declares_a_known_right_a_site_or_a_public_marker() -> None:
    undeclared = [
        str(r)
        for r in BY_RIGHT
        if r.op.get("x-akiba-right") not in set(Right)
        or not set(r.op.get("x-akiba-any-right", [])) <= set(Right)
    ]
    assert undeclared == []


def test_there_are_site_only_routes_to_check() -> None:
    assert SITE_ONLY, "no site-only routes found: is the sync hub registered?"


def test_site_only_routes_name_a_parameter_of_their_path() -> None:
    misdeclared = [str(r) for r in SITE_ONLY if f"{{{r.op['x-akiba-site']}}}" not in r.path]
    assert misdeclared == []


def test_there_are_protected_routes_to_check() -> None:
    assert PROTECTED, "no protected routes found: is any service registered?"


@dataclass
class Caller:
    """One service's app on a fresh database, with tokens from a test issuer."""

    client: httpx.AsyncClient
    issuer: TestIssuer

    async def call(self, route: Route, token: str | None, params: dict[str, str]) -> int:
        path = re.sub(r"{(\w+)}", lambda m: params[m.group(1)], route.path)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        r = await self.client.request(route.method, path, headers=headers, json={})
        return r.status_code


@pytest.fixture(params=SERVICES, ids=lambda s: s.name)
async def caller(request: pytest.FixtureRequest, databases: Databases) -> AsyncIterator[Caller]:
    spec: ServiceSpec = request.param
    module = importlib.import_module(f"{spec.module}.bootstrap")
    pool = await create_pool(await databases.create({spec.name: module.MIGRATIONS}))
    issuer = TestIssuer()
    app = _app(spec, pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            yield Caller(client, issuer)
    await pool.close()


def _rights(route: Route) -> list[Right]:
    """The rights that open the route: its one right, or each of `requires_any`'s."""
    return [Right(r) for r in route.op.get("x-akiba-any-right", [route.op["x-akiba-right"]])]


def _grant(route: Route, right: Right, params: dict[str, str]) -> str:
    scope = route.op.get("x-akiba-scope") or {}
    facility = params.get(scope.get("facility") or "")
    if right_type(right) in (RightType.GENERAL_ADMIN, RightType.REPORTS):
        return str(right)
    if right_type(right) == RightType.ORDER_FULFILLMENT:
        return f"{right}|{facility or uuid.uuid4()}"
    return f"{right}|{facility or uuid.uuid4()}|{uuid.uuid4()}"


async def test_each_protected_route_allows_its_right_and_refuses_everyone_else(
    caller: Caller,
) -> None:
    routes = [r for r in BY_RIGHT if r.service.name in _service_of(caller)]
    failures = []
    for route in routes:
        params = {name: str(uuid.uuid4()) for name in re.findall(r"{(\w+)}", route.path)}
        _, nobody = caller.issuer.user()
        for right in _rights(route):
            _, allowed = caller.issuer.user(_grant(route, right, params))
            outcome = (
                await caller.call(route, None, params),
                await caller.call(route, nobody, params),
                await caller.call(route, allowed, params),
            )
            if outcome[0] != 401 or outcome[1] != 403 or outcome[2] in (401, 403):
                failures.append(f"{route}: no token, no right, {right} → {outcome}")
    assert failures == []


async def test_each_site_only_route_allows_its_own_site_and_refuses_everyone_else(
    caller: Caller,
) -> None:
    routes = [r for r in SITE_ONLY if r.service.name in _service_of(caller)]
    failures = []
    for route in routes:
        params = {name: str(uuid.uuid4()) for name in re.findall(r"{(\w+)}", route.path)}
        site = params[route.op["x-akiba-site"]]
        _, user = caller.issuer.user()
        client = caller.issuer.token("ops", kind="client", rights=[str(r) for r in Right])
        outcome = (
            await caller.call(route, None, params),
            await caller.call(route, user, params),
            await caller.call(route, client, params),
            await caller.call(route, _site_token(caller, str(uuid.uuid4())), params),
            await caller.call(route, _site_token(caller, site), params),
        )
        if outcome[:4] != (401, 403, 403, 403) or outcome[4] in (401, 403):
            failures.append(
                f"{route}: no token, a user, an all-rights client, another site, the site"
                f" → {outcome}"
            )
    assert failures == []


def _site_token(caller: Caller, site_id: str) -> str:
    return caller.issuer.token(site_id, kind="site", site_id=site_id, username=None)


def _service_of(caller: Caller) -> set[str]:
    app = caller.client._transport.app  # type: ignore[attr-defined]
    return {s.name for s in SERVICES if app.title.lower().endswith(s.name)}
