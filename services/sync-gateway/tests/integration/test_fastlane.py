"""The fast lane records exactly as the FastAPI routes do, and leaves every refusal to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from akiba_stock_api.testing import watch_fast_lane, without_fast_lane
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

from ..site import Site, receipt, sign_in

VARYING = {"movement_id", "store_sequence", "occurred_at", "recorded_at"}


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each write request was taken by the fast lane (True) or passed on (False)."""
    return watch_fast_lane(monkeypatch)


@pytest.fixture
async def routes_only(seeded: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    """The same app without the fast lane: FastAPI's routes answer everything."""
    app = create_app(Settings(site_id=site.site_id), seeded)
    without_fast_lane(app)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            yield c


def _stable(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in VARYING}


async def test_a_valid_receipt_takes_the_fast_lane_and_answers_as_the_route_does(
    client: httpx.AsyncClient,
    routes_only: httpx.AsyncClient,
    clerk: dict[str, str],
    site: Site,
    taken: list[bool],
) -> None:
    url = f"/stores/{site.store_id}/receipts"
    fast = await client.post(url, json=receipt(site, 5), headers=clerk)
    token = await sign_in(routes_only, "clerk")
    slow = await routes_only.post(
        url, json=receipt(site, 5), headers={"authorization": f"Bearer {token}"}
    )
    assert (fast.status_code, slow.status_code) == (201, 201)
    assert taken == [True]
    assert fast.json().keys() == slow.json().keys()
    assert _stable(fast.json()) == _stable(slow.json())
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert "x-request-id" in fast.headers  # inside the platform's telemetry middleware
    assert (fast.json()["store_sequence"], slow.json()["store_sequence"]) == (1, 2)


async def test_an_issue_takes_the_fast_lane_and_answers_a_list(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, taken: list[bool]
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 9), headers=clerk)).json()
    line = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "quantity": 4}
    r = await client.post(f"{base}/issues", json={"lines": [line]}, headers=clerk)
    assert r.status_code == 201, r.text
    assert [m["quantity"] for m in r.json()] == [-4]
    assert taken == [True, True]


async def test_refusals_before_the_write_are_left_to_the_routes(
    client: httpx.AsyncClient,
    clerk: dict[str, str],
    viewer: dict[str, str],
    site: Site,
    taken: list[bool],
) -> None:
    url = f"/stores/{site.store_id}/receipts"
    bad = {**receipt(site, 5), "quantity": 0}
    answers = [
        await client.post(url, json=receipt(site, 5)),  # no token
        await client.post(url, json=receipt(site, 5), headers={"authorization": "Bearer x"}),
        await client.post(url, json=receipt(site, 5), headers=viewer),  # no STOCK_ADJUST
        await client.post(url, json=bad, headers=clerk),
        await client.post(
            f"/stores/{site.other_store}/receipts", json=receipt(site, 1), headers=clerk
        ),
    ]
    assert [r.status_code for r in answers] == [401, 401, 403, 422, 403]
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers)
    assert taken == [False] * 5


async def test_a_domain_refusal_in_the_fast_lane_is_the_routes_problem_document(
    client: httpx.AsyncClient,
    routes_only: httpx.AsyncClient,
    clerk: dict[str, str],
    site: Site,
    taken: list[bool],
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 1), headers=clerk)).json()
    line = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "quantity": 50}
    fast = await client.post(f"{base}/issues", json={"lines": [line]}, headers=clerk)
    token = await sign_in(routes_only, "clerk")
    slow = await routes_only.post(
        f"{base}/issues", json={"lines": [line]}, headers={"authorization": f"Bearer {token}"}
    )
    assert (fast.status_code, slow.status_code) == (409, 409)
    assert fast.json() == slow.json()
    assert (
        fast.headers["content-type"] == slow.headers["content-type"] == "application/problem+json"
    )
    assert taken == [True, True]
