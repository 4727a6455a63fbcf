"""Every gateway route declares its central twin's right and enforces it, with the same models
and query parameters.

Routes come from the app's OpenAPI, so a route added later is covered the day it lands.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_fulfillment.api.app import create_app as fulfillment_app
from akiba_fulfillment.settings import Settings as FulfillmentSettings
from akiba_inventory.api.app import create_app as central_app
from akiba_inventory.settings import Settings as CentralSettings
from akiba_platform.testing.tokens import TestIssuer
from akiba_requisition.api.app import create_app as requisition_app
from akiba_requisition.settings import Settings as RequisitionSettings
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

APP = create_app(Settings())
OPS = [
    (method, path, op)
    for path, ops in APP.openapi()["paths"].items()
    for method, op in ops.items()
    if not op.get("x-akiba-public")
]


def _twins() -> dict[str, Any]:
    """Central's routes the gateway serves for its stores: inventory's, requisition's and
    fulfillment's (the receiver's side)."""
    paths = dict(central_app(CentralSettings()).openapi()["paths"])
    paths.update(requisition_app(RequisitionSettings()).openapi()["paths"])
    paths.update(fulfillment_app(FulfillmentSettings()).openapi()["paths"])
    return paths


def test_every_protected_route_declares_a_known_right() -> None:
    assert OPS and all(op.get("x-akiba-right") in set(Right) for _, _, op in OPS)


def test_routes_with_a_central_twin_declare_the_same_right_and_scope() -> None:
    twins = _twins()
    compared = 0
    for method, path, op in OPS:
        twin = twins.get(path, {}).get(method)
        if twin is not None:
            compared += 1
            assert (op["x-akiba-right"], op.get("x-akiba-scope")) == (
                twin["x-akiba-right"], twin.get("x-akiba-scope"),
            ), f"{method} {path}"  # fmt: skip
    assert compared == len(OPS) - 1  # all but /sync/status


def test_routes_with_a_central_twin_take_and_give_the_same_models() -> None:
    twins = _twins()
    for method, path, op in OPS:
        twin = twins.get(path, {}).get(method)
        if twin is not None:
            assert _body(op) == _body(twin), f"{method} {path}"


def test_routes_with_a_central_twin_take_the_same_query_parameters() -> None:
    twins = _twins()
    for method, path, op in OPS:
        twin = twins.get(path, {}).get(method)
        if twin is not None:
            assert _query(op) == _query(twin), f"{method} {path}"


def _query(op: dict[str, Any]) -> list[tuple[str, Any]]:
    """The query parameters of an operation (names, bounds, descriptions), by name."""
    found = [p for p in op.get("parameters", []) if p["in"] == "query"]
    return sorted((p["name"], p) for p in found)


def _body(op: dict[str, Any]) -> Any:
    """The request body and success responses of an operation, as schema references."""
    ok = {code: r.get("content") for code, r in op["responses"].items() if code.startswith("2")}
    return op.get("requestBody", {}).get("content"), ok


@pytest.fixture
async def caller(db: Database) -> AsyncIterator[tuple[httpx.AsyncClient, TestIssuer]]:
    issuer = TestIssuer()
    app = create_app(Settings(), db, authorizer=issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield client, issuer


async def test_each_route_refuses_no_token_and_no_right_and_admits_its_right(
    caller: tuple[httpx.AsyncClient, TestIssuer],
) -> None:
    client, issuer = caller
    failures = []
    for method, path, op in OPS:
        params = {name: str(uuid.uuid4()) for name in re.findall(r"{(\w+)}", path)}
        url = path.format(**params)
        store = params.get("store_id", str(uuid.uuid4()))
        _, allowed = issuer.user(f"{op['x-akiba-right']}|{store}|{uuid.uuid4()}")
        _, nobody = issuer.user()
        outcome = []
        for token in (None, nobody, allowed):
            headers = {"authorization": f"Bearer {token}"} if token else {}
            r = await client.request(method, url, headers=headers, json={})
            outcome.append(r.status_code)
        if outcome[0] != 401 or outcome[1] != 403 or outcome[2] in (401, 403):
            failures.append(f"{method} {path}: {outcome}")
    assert failures == []
