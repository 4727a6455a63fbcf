"""Issues, adjustments, moves and holds through the real app: the ledger stays exact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_contracts.envelope import decode
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.api.app import create_app
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.settings import Settings
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer


class Store:
    """A store with an item, two locations and a reason of each direction."""

    def __init__(self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, token: str) -> None:
        self.pool, self.client = pool, client
        self.headers = {"authorization": f"Bearer {token}"}
        self.id, self.item = uuid4(), uuid4()
        self.shelf_a, self.shelf_b = uuid4(), uuid4()
        self.damaged, self.found = uuid4(), uuid4()

    async def setup(self) -> None:
        await self.pool.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", self.id, self.id.hex
        )
        await self.pool.execute(
            "insert into items (item_id, code, name) values ($1, $2, 'i')", self.item, self.item.hex
        )
        for loc, code in ((self.shelf_a, "A"), (self.shelf_b, "B")):
            await self.pool.execute(
                "insert into locations (location_id, store_id, code, name) values ($1, $2, $3, $3)",
                loc,
                self.id,
                code,
            )
        for reason, name, direction in (
            (self.damaged, "Damaged", "debit"),
            (self.found, "Found", "credit"),
        ):
            await self.pool.execute(
                "insert into adjustment_reasons (reason_id, name, direction, category)"
                " values ($1, $2, $3, 'adjustment')",
                reason,
                f"{name} {reason.hex[:6]}",
                direction,
            )

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(f"/stores/{self.id}/{path}", json=body, headers=self.headers)

    async def receive(
        self, qty: int, lot: str = "L1", location: UUID | None = None, when: datetime | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "item_id": str(self.item),
            "lot_code": lot,
            "quantity": qty,
            "expiry_date": "2030-01-31",
        }
        if location:
            body["location_id"] = str(location)
        if when:
            body["occurred_at"] = when.isoformat()
        r = await self.post("receipts", body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def line(self, batch: str, qty: int, **extra: Any) -> dict[str, Any]:
        return {"item_id": str(self.item), "batch_id": batch, "quantity": qty, **extra}

    async def on_hand(self) -> int:
        return int(
            await self.pool.fetchval(
                "select coalesce(sum(quantity), 0) from stock_on_hand where store_id = $1", self.id
            )
        )

    async def card(self, **params: Any) -> dict[str, Any]:
        r = await self.client.get(
            f"/stores/{self.id}/items/{self.item}/stock-card", params=params, headers=self.headers
        )
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture
async def store(databases: Databases) -> AsyncIterator[Store]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            s = Store(pool, client, "")
            _, token = issuer.user(
                f"STOCK_ADJUST|{s.id}|{uuid4()}", f"STOCK_CARDS_VIEW|{s.id}|{uuid4()}"
            )
            s.headers = {"authorization": f"Bearer {token}"}
            await s.setup()
            yield s
    await pool.close()


async def test_an_issue_within_stock_reduces_stock_on_hand(store: Store) -> None:
    batch = (await store.receive(100))["batch_id"]
    r = await store.post("issues", {"lines": [store.line(batch, 30)], "destination": "ward 3"})
    assert r.status_code == 201 and r.json()[0]["quantity"] == -30
    assert await store.on_hand() == 70


async def test_an_issue_beyond_stock_is_a_409_and_records_nothing(store: Store) -> None:
    batch = (await store.receive(10))["batch_id"]
    before = await store.pool.fetchval("select count(*) from outbox")
    r = await store.post("issues", {"lines": [store.line(batch, 4), store.line(batch, 7)]})
    assert r.status_code == 409
    assert "available 10, requested 11" in r.json()["detail"]
    assert await store.on_hand() == 10
    assert await store.pool.fetchval("select count(*) from stock_movements") == 1
    assert await store.pool.fetchval("select count(*) from outbox") == before


async def test_stock_on_one_shelf_cannot_be_issued_from_another(store: Store) -> None:
    batch = (await store.receive(10, location=store.shelf_a))["batch_id"]
    r = await store.post(
        "issues", {"lines": [store.line(batch, 1, location_id=str(store.shelf_b))]}
    )
    assert r.status_code == 409


async def test_a_location_move_nets_to_zero_and_moves_the_stock(store: Store) -> None:
    batch = (await store.receive(10, location=store.shelf_a))["batch_id"]
    r = await store.post(
        "location-moves",
        {
            "item_id": str(store.item),
            "batch_id": batch,
            "from_location_id": str(store.shelf_a),
            "to_location_id": str(store.shelf_b),
            "quantity": 4,
        },
    )
    assert r.status_code == 201 and [m["quantity"] for m in r.json()] == [-4, 4]
    rows = await store.pool.fetch(
        "select location_id, quantity from stock_on_hand where store_id = $1", store.id
    )
    assert {r["location_id"]: r["quantity"] for r in rows} == {store.shelf_a: 6, store.shelf_b: 4}


async def test_an_adjustment_needs_a_reason_of_the_right_direction(store: Store) -> None:
    batch = (await store.receive(10))["batch_id"]
    no_reason = await store.post(
        "adjustments", {"direction": "negative", "lines": [store.line(batch, 1)]}
    )
    wrong = await store.post(
        "adjustments",
        {"direction": "negative", "lines": [store.line(batch, 1, reason_id=str(store.found))]},
    )
    right = await store.post(
        "adjustments",
        {"direction": "negative", "lines": [store.line(batch, 2, reason_id=str(store.damaged))]},
    )
    assert (no_reason.status_code, wrong.status_code, right.status_code) == (422, 422, 201)
    assert right.json()[0]["quantity"] == -2 and await store.on_hand() == 8


async def test_stock_on_hold_cannot_be_issued_until_released(store: Store) -> None:
    batch = (await store.receive(10))["batch_id"]
    hold = {"item_id": str(store.item), "batch_id": batch, "on_hold": True}
    r = await store.client.put(
        f"/stores/{store.id}/stock-lines/hold", json=hold, headers=store.headers
    )
    assert r.status_code == 200
    assert (await store.post("issues", {"lines": [store.line(batch, 1)]})).status_code == 409
    hold["on_hold"] = False
    await store.client.put(f"/stores/{store.id}/stock-lines/hold", json=hold, headers=store.headers)
    assert (await store.post("issues", {"lines": [store.line(batch, 1)]})).status_code == 201


async def test_a_back_dated_receipt_recomputes_the_running_balances_after_it(store: Store) -> None:
    now = datetime.now(UTC)
    batch = (await store.receive(10, when=now - timedelta(days=2)))["batch_id"]
    await store.post(
        "issues",
        {"lines": [store.line(batch, 4)], "occurred_at": (now - timedelta(days=1)).isoformat()},
    )
    await store.receive(5, when=now - timedelta(days=3))  # before everything else
    card = await store.card()
    assert [(r["quantity"], r["balance"]) for r in card["rows"]] == [(5, 5), (10, 15), (-4, 11)]


async def test_a_back_dated_issue_that_would_have_overdrawn_the_past_is_refused(
    store: Store,
) -> None:
    now = datetime.now(UTC)
    batch = (await store.receive(10, when=now - timedelta(days=5)))["batch_id"]
    await store.post(
        "issues",
        {"lines": [store.line(batch, 8)], "occurred_at": (now - timedelta(days=1)).isoformat()},
    )
    await store.receive(20)  # today: 22 on hand, but only 2 were there on day -1
    r = await store.post(
        "issues",
        {"lines": [store.line(batch, 5)], "occurred_at": (now - timedelta(days=2)).isoformat()},
    )
    assert r.status_code == 409
    assert await store.on_hand() == 22


async def test_the_stock_card_of_one_batch_shows_that_batchs_balance(store: Store) -> None:
    b1 = (await store.receive(10, lot="L1"))["batch_id"]
    await store.receive(7, lot="L2")
    await store.post("issues", {"lines": [store.line(b1, 3)]})
    whole, one = await store.card(), await store.card(batch_id=b1)
    assert [r["balance"] for r in whole["rows"]] == [10, 17, 14]
    assert [r["balance"] for r in one["rows"]] == [10, 7]


async def test_stock_on_hand_filters_and_pages(store: Store) -> None:
    for lot in ("L1", "L2", "L3"):
        await store.receive(5, lot=lot)
    url = f"/stores/{store.id}/stock-on-hand"
    page = (await store.client.get(url, params={"size": 2}, headers=store.headers)).json()
    assert (page["total"], len(page["items"])) == (3, 2)
    late = (
        await store.client.get(url, params={"size": 2, "page": 1}, headers=store.headers)
    ).json()
    assert [i["lot_code"] for i in page["items"] + late["items"]] == ["L1", "L2", "L3"]
    held = (await store.client.get(url, params={"on_hold": True}, headers=store.headers)).json()
    assert held["total"] == 0


async def test_stock_on_hand_per_program_lists_the_items_ordered_under_it(store: Store) -> None:
    epi, fp = uuid4(), uuid4()
    await store.receive(5)  # before the item joins EPI: the clerk's right is for another program
    await store.pool.execute(
        "update items set program_ids = $2 where item_id = $1", store.item, [epi]
    )
    url = f"/stores/{store.id}/stock-on-hand"

    async def lines(program: UUID) -> list[str]:
        r = await store.client.get(url, params={"program_id": str(program)}, headers=store.headers)
        assert r.status_code == 200, r.text
        return [i["item_id"] for i in r.json()["items"]]

    assert await lines(epi) == [str(store.item)]
    assert await lines(fp) == []


async def test_every_posting_publishes_the_new_level_of_each_line(store: Store) -> None:
    batch = (await store.receive(10))["batch_id"]
    await store.post("issues", {"lines": [store.line(batch, 3)]})
    rows = await store.pool.fetch(
        "select value from outbox where topic = 'inventory.stock-levels' order by id"
    )
    assert [(decode(r["value"]).data or {})["quantity_on_hand"] for r in rows] == [10, 7]


async def test_a_store_managed_by_a_site_refuses_central_movements(store: Store) -> None:
    await store.pool.execute("update stores set managed_by = 'site' where store_id = $1", store.id)
    r = await store.post("receipts", {"item_id": str(store.item), "lot_code": "L1", "quantity": 1})
    assert r.status_code == 409 and "managed by a site" in r.json()["detail"]
