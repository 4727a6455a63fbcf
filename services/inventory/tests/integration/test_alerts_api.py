"""Listing active alerts: per store, and across only the stores the caller may see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_inventory.api.app import create_app
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.consumers import alerting
from akiba_inventory.settings import Settings
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer

NOW = datetime.now(UTC)


@dataclass
class Stores:
    """Three stores, each with an item out of stock (alerted), and a way to get tokens."""

    pool: asyncpg.Pool[Any]
    client: httpx.AsyncClient
    issuer: TestIssuer
    ids: list[UUID]
    item: UUID

    def token(self, *permissions: str) -> dict[str, str]:
        _, token = self.issuer.user(*permissions)
        return {"authorization": f"Bearer {token}"}

    def viewer(self, *stores: UUID) -> dict[str, str]:
        return self.token(*(f"STOCK_CARDS_VIEW|{s}|{uuid4()}" for s in stores))

    async def get(self, path: str, headers: dict[str, str], **params: Any) -> dict[str, Any]:
        r = await self.client.get(path, headers=headers, params=params)
        assert r.status_code == 200, r.text
        return dict(r.json())


async def _out_of_stock(pool: asyncpg.Pool[Any], client: httpx.AsyncClient, h: Any) -> None:
    """Receive then issue everything (back-dated) at one store, as the API would."""
    store, item, token = h
    headers = {"authorization": f"Bearer {token}"}
    at = (NOW - timedelta(days=10)).isoformat()
    r = await client.post(
        f"/stores/{store}/receipts",
        json={"item_id": str(item), "lot_code": "L", "quantity": 5, "occurred_at": at},
        headers=headers,
    )
    batch = r.json()["batch_id"]
    line = {"item_id": str(item), "batch_id": batch, "quantity": 5}
    issue = {"lines": [line], "occurred_at": (NOW - timedelta(days=1)).isoformat()}
    r = await client.post(f"/stores/{store}/issues", json=issue, headers=headers)
    assert r.status_code == 201, r.text


@pytest.fixture
async def stores(databases: Databases) -> AsyncIterator[Stores]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    ids, item = [uuid4() for _ in range(3)], uuid4()
    await pool.execute("insert into items (item_id, code, name) values ($1, 'I', 'Item')", item)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            for n, store in enumerate(ids):
                await pool.execute(
                    "insert into stores (store_id, code, name) values ($1, $2, 's')",
                    store,
                    f"S{n}",
                )
                _, token = issuer.user(f"STOCK_ADJUST|{store}|{uuid4()}")
                await _out_of_stock(pool, client, (store, item, token))
            async with pool.acquire() as conn, conn.transaction():
                await alerting.reevaluate(conn, [(s, item) for s in ids], NOW)
            yield Stores(pool, client, issuer, ids, item)
    await pool.close()


async def test_a_store_lists_its_active_alerts_with_their_figures(stores: Stores) -> None:
    a = stores.ids[0]
    page = await stores.get(f"/stores/{a}/alerts", stores.viewer(a))
    assert page["total"] == 1
    alert = page["items"][0]
    assert (alert["kind"], alert["store_id"], alert["item_code"], alert["stock_on_hand"]) == (
        "out_of_stock",
        str(a),
        "I",
        0,
    )


async def test_the_cross_store_list_only_shows_stores_the_caller_may_view(stores: Stores) -> None:
    a, _, c = stores.ids
    one = await stores.get("/alerts", stores.viewer(a))
    two = await stores.get("/alerts", stores.viewer(a, c))
    assert [x["store_id"] for x in one["items"]] == [str(a)]
    assert sorted(x["store_id"] for x in two["items"]) == sorted([str(a), str(c)])
    assert two["total"] == 2


async def test_another_right_at_a_store_does_not_show_its_alerts(stores: Stores) -> None:
    a, b, _ = stores.ids
    headers = stores.token(f"STOCK_CARDS_VIEW|{a}|{uuid4()}", f"STOCK_ADJUST|{b}|{uuid4()}")
    page = await stores.get("/alerts", headers)
    assert [x["store_id"] for x in page["items"]] == [str(a)]


async def test_asking_for_a_store_the_caller_may_not_view_gives_nothing(stores: Stores) -> None:
    a, b, _ = stores.ids
    page = await stores.get("/alerts", stores.viewer(a), store_id=str(b))
    assert (page["total"], page["items"]) == (0, [])


async def test_the_cross_store_list_filters_by_kind(stores: Stores) -> None:
    headers = stores.viewer(*stores.ids)
    assert (await stores.get("/alerts", headers, kind="out_of_stock"))["total"] == 3
    assert (await stores.get("/alerts", headers, kind="expired"))["total"] == 0


async def test_the_summary_shows_an_items_active_alerts(stores: Stores) -> None:
    a = stores.ids[0]
    page = await stores.get(f"/stores/{a}/summary", stores.viewer(a))
    assert page["items"][0]["alerts"] == [{"kind": "out_of_stock", "batch_id": None}]
