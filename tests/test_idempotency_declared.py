"""Every write route of every service (and of the site gateway) takes an Idempotency-Key.

Routes come from each service's OpenAPI, so a new write route is covered the day it is
added: it declares the header, or says why it is exempt. The exemptions are the documented
ones; each service's app keeps its keys once started.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from akiba_devtools.discovery import discover
from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool
from akiba_platform.idempotency import EXEMPT, PARAMETER, WRITE_METHODS, Keeper
from akiba_platform.services import ServiceSpec
from akiba_platform.testing.tokens import TestIssuer
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app as gateway_app
from akiba_sync_gateway.settings import Settings as GatewaySettings

SERVICES = discover()
# Documented in docs/architecture.md ("Idempotent writes") and each service's README.
EXEMPTIONS = {
    "auth POST /oauth/token",  # issues tokens; a stored answer would keep them at rest
    "auth POST /oauth/revoke",  # idempotent by itself (RFC 7009)
    "sync-hub POST /sites/{site_id}/events",  # idempotent by event ids (inbox, sequences)
    "sync-gateway POST /oauth/token",  # local sign-in, as auth's
    "sync-gateway POST /oauth/revoke",  # local revocation, as auth's
}


def _central(spec: ServiceSpec) -> Callable[..., FastAPI]:
    create: Callable[..., FastAPI] = importlib.import_module(f"{spec.module}.api.app").create_app
    return create


def _settings(spec: ServiceSpec) -> Any:
    return importlib.import_module(f"{spec.module}.settings").Settings()


def _writes() -> list[tuple[str, dict[str, Any]]]:
    apps = [(s.name, _central(s)(_settings(s))) for s in SERVICES]
    apps.append(("sync-gateway", gateway_app(GatewaySettings())))
    return [
        (f"{name} {method.upper()} {path}", op)
        for name, app in apps
        for path, ops in app.openapi()["paths"].items()
        for method, op in ops.items()
        if method.upper() in WRITE_METHODS
    ]


WRITES = _writes()


def test_there_are_write_routes_of_every_service_to_check() -> None:
    assert {w.split()[0] for w, _ in WRITES} >= {s.name for s in SERVICES} - {"sync-hub"}


def test_every_write_route_declares_the_idempotency_key_or_is_a_documented_exemption() -> None:
    undeclared = [w for w, op in WRITES if PARAMETER not in op.get("parameters", [])]
    assert sorted(undeclared) == sorted(EXEMPTIONS)


def test_every_exemption_says_why() -> None:
    reasons = {w: op.get(EXEMPT) for w, op in WRITES if w in EXEMPTIONS}
    assert all(isinstance(r, str) and r for r in reasons.values()), reasons
    assert set(reasons) == EXEMPTIONS


def test_every_declared_write_documents_the_409() -> None:
    declared = [(w, op) for w, op in WRITES if w not in EXEMPTIONS]
    assert [w for w, op in declared if "409" not in op["responses"]] == []


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
async def test_each_service_keeps_its_keys_once_started(
    spec: ServiceSpec, databases: Databases
) -> None:
    module = importlib.import_module(f"{spec.module}.bootstrap")
    pool = await create_pool(await databases.create({spec.name: module.MIGRATIONS}))
    app = _central(spec)(_settings(spec), pool, TestIssuer().authorizer)
    try:
        async with app.router.lifespan_context(app):
            assert isinstance(app.state.idempotency, Keeper)
    finally:
        await pool.close()


async def test_the_gateway_keeps_its_keys_once_started(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "gw.sqlite3"))
    app = gateway_app(GatewaySettings(), db)
    try:
        async with app.router.lifespan_context(app):
            assert isinstance(app.state.idempotency, Keeper)
    finally:
        db.close()
