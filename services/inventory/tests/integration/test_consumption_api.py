"""AMC, MOS and the store summary from the real ledger, against hand-computed figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_inventory.api.app import create_app
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.settings import Settings
from akiba_inventory.views import consumption as cv
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer
from akiba_stock.consumption import LookBack, amc

NOW = datetime.now(UTC)


class Store:
    """A store with two items, a debit reason and a token to adjust and view it."""

    def __init__(self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient) -> None:
        self.pool, self.client = pool, client
        self.id, self.item, self.other, self.damaged = uuid4(), uuid4(), uuid4(), uuid4()
        self.headers: dict[str, str] = {}

    async def setup(self) -> None:
        await self.pool.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", self.id, self.id.hex
        )
        for item, code in ((self.item, "A"), (self.other, "B")):
            await self.pool.execute(
                "insert into items (item_id, code, name) values ($1, $2, $3)",
                item,
                f"{code}-{item.hex[:8]}",
                f"item {code}",
            )
        await self.pool.execute(
            "insert into adjustment_reasons (reason_id, name, direction, category)"
            " values ($1, $2, 'debit', 'adjustment')",
            self.damaged,
            f"Damaged {self.damaged.hex[:6]}",
        )

    async def receive(self, qty: int, days_ago: float, item: UUID | None = None) -> str:
        body = {
            "item_id": str(item or self.item),
            "lot_code": f"L-{days_ago}",
            "quantity": qty,
            "expiry_date": "2031-03-31",
            "occurred_at": (NOW - timedelta(days=days_ago)).isoformat(),
        }
        r = await self.client.post(f"/stores/{self.id}/receipts", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        return str(r.json()["batch_id"])

    async def issue(self, batch: str, qty: int, days_ago: float) -> None:
        await self._post(
            "issues",
            {"lines": [self._line(batch, qty)], "occurred_at": self._at(days_ago)},
        )

    async def damage(self, batch: str, qty: int, days_ago: float) -> None:
        line = self._line(batch, qty) | {"reason_id": str(self.damaged)}
        await self._post(
            "adjustments",
            {"direction": "negative", "lines": [line], "occurred_at": self._at(days_ago)},
        )

    def _line(self, batch: str, qty: int) -> dict[str, Any]:
        return {"item_id": str(self.item), "batch_id": batch, "quantity": qty}

    def _at(self, days_ago: float) -> str:
        return (NOW - timedelta(days=days_ago)).isoformat()

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        r = await self.client.post(f"/stores/{self.id}/{path}", json=body, headers=self.headers)
        assert r.status_code == 201, r.text

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(
            f"/stores/{self.id}/{path}", params=params, headers=self.headers
        )


@pytest.fixture
async def store(databases: Databases) -> AsyncIterator[Store]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            s = Store(pool, client)
            _, token = issuer.user(
                f"STOCK_ADJUST|{s.id}|{uuid4()}", f"STOCK_CARDS_VIEW|{s.id}|{uuid4()}"
            )
            s.headers = {"authorization": f"Bearer {token}"}
            await s.setup()
            yield s
    await pool.close()


async def _issue_1015_in_the_last_3_months(store: Store) -> None:
    batch = await store.receive(2000, days_ago=100)
    await store.issue(batch, 100, days_ago=95)  # before the window: not counted
    for qty, days_ago in ((400, 80), (315, 40), (300, 10)):
        await store.issue(batch, qty, days_ago)
    await store.damage(batch, 50, days_ago=5)  # a loss, not consumption


async def test_1015_units_issued_in_the_last_3_months_give_an_amc_of_338_33(store: Store) -> None:
    await _issue_1015_in_the_last_3_months(store)
    r = await store.get(f"items/{store.item}/consumption")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["consumed"], body["stockout_days"], body["stock_on_hand"]) == (1015, 0, 835)
    assert Decimal(body["amc"]) == Decimal("338.33")
    # 835 / (1015 / 3) = 2.4679… → 2.47
    assert Decimal(body["months_of_stock"]) == Decimal("2.47")
    assert Decimal(body["window_days"]) == Decimal("91.3125")
    assert [Decimal(body[f"{m}_months_of_stock"]) for m in ("min", "max")] == [3, 6]


async def test_mos_is_null_when_nothing_was_consumed(store: Store) -> None:
    await store.receive(40, days_ago=20)
    body = (await store.get(f"items/{store.item}/consumption")).json()
    assert (body["consumed"], body["amc"], body["months_of_stock"]) == (0, "0.00", None)


async def test_days_out_of_stock_scale_consumption_up_as_n_over_n_minus_s(store: Store) -> None:
    batch = await store.receive(100, days_ago=50)  # nothing on hand before: stock-out days
    await store.issue(batch, 100, days_ago=30)  # nothing after either
    async with store.pool.acquire() as conn:
        f = await cv.item_consumption(conn, store.id, store.item, NOW)
    assert f is not None
    window = LookBack(NOW)
    first, last = window.whole_days()
    received, emptied = (NOW - timedelta(days=50)).date(), (NOW - timedelta(days=30)).date()
    expected_out = (received - first).days + (last - emptied).days + 1
    assert (f.consumed, f.stockout_days) == (100, expected_out)
    assert f.amc == amc(100, window, expected_out) and f.amc is not None and f.amc > 100


async def test_a_store_setting_changes_the_look_back_window(store: Store) -> None:
    await _issue_1015_in_the_last_3_months(store)
    await store.pool.execute(
        "insert into stock_settings (store_id, look_back_months, min_mos, max_mos)"
        " values ($1, 1, 2, 4)",
        store.id,
    )
    body = (await store.get(f"items/{store.item}/consumption")).json()
    assert (body["consumed"], body["amc"], body["look_back_months"]) == (300, "300.00", "1")
    assert Decimal(body["min_months_of_stock"]) == 2


async def test_a_program_setting_applies_to_the_programs_items_only(store: Store) -> None:
    program = uuid4()
    await store.pool.execute(
        "insert into stock_settings (program_id, min_mos, max_mos) values ($1, 1, 2)", program
    )
    await store.pool.execute(
        "update items set program_ids = $1 where item_id = $2", [program], store.item
    )
    async with store.pool.acquire() as conn:
        got = await cv.stock_settings(conn, [(store.id, store.item), (store.id, store.other)])
    assert got[(store.id, store.item)].thresholds.max_mos == 2
    assert got[(store.id, store.other)].thresholds.max_mos == 6


async def test_an_unknown_item_is_a_404(store: Store) -> None:
    assert (await store.get(f"items/{uuid4()}/consumption")).status_code == 404


async def test_the_summary_lists_each_item_with_soh_amc_mos_and_nearest_expiry(
    store: Store,
) -> None:
    await _issue_1015_in_the_last_3_months(store)
    await store.receive(7, days_ago=1, item=store.other)
    first = (await store.get("summary", size=1)).json()
    second = (await store.get("summary", size=1, page=1)).json()
    assert (first["total"], second["total"]) == (2, 2)
    a, b = first["items"][0], second["items"][0]
    assert (a["item_id"], a["stock_on_hand"], a["amc"], a["months_of_stock"]) == (
        str(store.item),
        835,
        "338.33",
        "2.47",
    )
    assert a["nearest_expiry"] == "2031-03-31" and a["alerts"] == []
    assert (b["item_id"], b["stock_on_hand"], b["months_of_stock"]) == (str(store.other), 7, None)
