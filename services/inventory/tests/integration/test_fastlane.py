"""Inventory's fast lane records exactly as the FastAPI routes do, and leaves refusals to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from akiba_inventory.api.app import create_app
from akiba_inventory.settings import Settings
from akiba_stock_api.testing import watch_fast_lane, without_fast_lane

from . import test_receipts_api
from .test_receipts_api import Api

api = test_receipts_api.api  # the receipts tests' app on a fresh database, as a fixture here

VARYING = {"movement_id", "store_sequence", "occurred_at", "recorded_at", "batch_id"}


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each write request was taken by the fast lane (True) or passed on (False)."""
    return watch_fast_lane(monkeypatch)


@pytest.fixture
async def routes_only(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """The same app on the same database without the fast lane: the routes answer all."""
    app = create_app(Settings(), api.pool, api.issuer.authorizer)
    without_fast_lane(app)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as c:
            yield c


def _stable(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in VARYING}


def _bearer(api: Api) -> dict[str, str]:
    return {"authorization": f"Bearer {api.token}"}


async def test_a_valid_receipt_takes_the_fast_lane_and_answers_as_the_route_does(
    api: Api, routes_only: httpx.AsyncClient, taken: list[bool]
) -> None:
    fast = await api.receive(quantity=5, lot_code="F1")
    url = f"/stores/{api.store_id}/receipts"
    body = {"item_id": str(api.item_id), "lot_code": "F1", "quantity": 5}
    slow = await routes_only.post(url, json=body, headers=_bearer(api))
    assert (fast.status_code, slow.status_code) == (201, 201)
    assert taken == [True]
    assert fast.json().keys() == slow.json().keys()
    assert _stable(fast.json()) == _stable(slow.json())
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert "x-request-id" in fast.headers  # inside the platform's telemetry middleware
    assert (fast.json()["store_sequence"], slow.json()["store_sequence"]) == (1, 2)
    rows = await api.pool.fetchval("select count(*) from stock_movements")
    events = await api.pool.fetchval(
        "select count(*) from outbox where topic = 'inventory.stock-movements'"
    )
    assert (rows, events) == (2, 2)


async def test_an_issue_document_takes_the_fast_lane_and_answers_a_list(
    api: Api, taken: list[bool]
) -> None:
    batch = (await api.receive(quantity=9)).json()["batch_id"]
    lines = [{"item_id": str(api.item_id), "batch_id": batch, "quantity": q} for q in (4, 3)]
    r = await api.client.post(
        f"/stores/{api.store_id}/issues", json={"lines": lines}, headers=_bearer(api)
    )
    assert r.status_code == 201, r.text
    assert [m["quantity"] for m in r.json()] == [-4, -3]
    assert taken == [True, True]


async def test_refusals_before_the_write_are_left_to_the_routes(
    api: Api, taken: list[bool]
) -> None:
    _, viewer = api.issuer.user(f"STOCK_CARDS_VIEW|{api.store_id}|{uuid4()}")
    answers = [
        await api.client.post(f"/stores/{api.store_id}/receipts", json={"quantity": 1}),
        await api.receive(token="x"),
        await api.receive(token=viewer),
        await api.receive(quantity=0),
        await api.receive(store=uuid4()),
    ]
    assert [r.status_code for r in answers] == [401, 401, 403, 422, 403]
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers)
    assert taken == [False] * 5
    assert await api.pool.fetchval("select count(*) from stock_movements") == 0


async def test_a_refusal_of_the_write_itself_is_the_routes_problem_document(
    api: Api, routes_only: httpx.AsyncClient, taken: list[bool]
) -> None:
    batch = (await api.receive(quantity=1)).json()["batch_id"]
    doc = {"lines": [{"item_id": str(api.item_id), "batch_id": batch, "quantity": 50}]}
    url = f"/stores/{api.store_id}/issues"
    fast = await api.client.post(url, json=doc, headers=_bearer(api))
    slow = await routes_only.post(url, json=doc, headers=_bearer(api))
    assert (fast.status_code, slow.status_code) == (409, 409)
    assert fast.json() == slow.json()
    assert fast.headers["content-type"] == "application/problem+json"
    assert taken == [True, True]


async def test_an_unknown_item_is_refused_alike_in_both_lanes(
    api: Api, routes_only: httpx.AsyncClient, taken: list[bool]
) -> None:
    body = {"item_id": str(uuid4()), "lot_code": "L1", "quantity": 3}
    url = f"/stores/{api.store_id}/receipts"
    fast = await api.client.post(url, json=body, headers=_bearer(api))
    slow = await routes_only.post(url, json=body, headers=_bearer(api))
    assert (fast.status_code, slow.status_code) == (422, 422)
    assert fast.json() == slow.json()
    assert taken == [True]


async def test_a_fast_lane_write_is_measured_under_its_route_template_not_its_path(
    api: Api, taken: list[bool]
) -> None:
    from akiba_platform.settings import ServiceSettings
    from akiba_platform.telemetry import setup_telemetry

    setup_telemetry(ServiceSettings())
    assert (await api.receive()).status_code == 201
    text = (await api.client.get("/metrics")).text
    ours = [ln for ln in text.splitlines() if ln.startswith("akiba_http_server_duration")]
    assert any('route="/stores/{store_id}/receipts"' in ln for ln in ours)
    assert not any(str(api.store_id) in ln for ln in ours)
    assert taken == [True]
