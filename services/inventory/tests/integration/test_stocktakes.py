"""Stocktakes through the real app: snapshot, counts, finalise, and stock on hand = counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
    """A store with two items, two shelves, and a reason of each direction."""

    def __init__(
        self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        self.pool, self.client, self.issuer = pool, client, issuer
        self.id, self.item, self.other = uuid4(), uuid4(), uuid4()
        self.shelf_a, self.shelf_b = uuid4(), uuid4()
        self.damaged, self.found = uuid4(), uuid4()
        self.headers: dict[str, str] = {}

    async def setup(self) -> None:
        db = self.pool
        await db.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", self.id, self.id.hex
        )
        for item in (self.item, self.other):
            await db.execute(
                "insert into items (item_id, code, name) values ($1, $2, 'i')", item, item.hex
            )
        for loc, code in ((self.shelf_a, "A"), (self.shelf_b, "B")):
            await db.execute(
                "insert into locations (location_id, store_id, code, name) values ($1, $2, $3, $3)",
                loc,
                self.id,
                code,
            )
        for reason, name, direction in (
            (self.damaged, "Damaged", "debit"),
            (self.found, "Found", "credit"),
        ):
            await db.execute(
                "insert into adjustment_reasons (reason_id, name, direction, category)"
                " values ($1, $2, $3, 'physical_inventory')",
                reason,
                f"{name} {reason.hex[:6]}",
                direction,
            )

    async def call(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        url = f"/stores/{self.id}/{path}"
        headers = kw.pop("headers", self.headers)
        return await self.client.request(method, url, json=body, headers=headers, **kw)

    async def receive(self, qty: int, lot: str = "L1", shelf: UUID | None = None, **kw: Any) -> str:
        body = {"item_id": str(kw.get("item", self.item)), "lot_code": lot, "quantity": qty}
        r = await self.call("POST", "receipts", {**body, "location_id": str(shelf or self.shelf_a)})
        assert r.status_code == 201, r.text
        return str(r.json()["batch_id"])

    async def issue(self, batch: str, qty: int, shelf: UUID | None = None) -> None:
        line = {"item_id": str(self.item), "batch_id": batch, "quantity": qty}
        r = await self.call(
            "POST", "issues", {"lines": [{**line, "location_id": str(shelf or self.shelf_a)}]}
        )
        assert r.status_code == 201, r.text

    async def stocktake(self, **scope: Any) -> dict[str, Any]:
        r = await self.call("POST", "stocktakes", scope)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def count(
        self, batch: str, counted: int, reason: UUID | None = None, **kw: Any
    ) -> dict[str, Any]:
        line = {"item_id": str(kw.get("item", self.item)), "batch_id": batch, "counted": counted}
        line["location_id"] = str(kw.get("shelf", self.shelf_a))
        return {**line, "reason_id": str(reason)} if reason else line

    async def counts(self, stocktake: dict[str, Any], *lines: dict[str, Any]) -> httpx.Response:
        return await self.call(
            "POST", f"stocktakes/{stocktake['stocktake_id']}/counts", {"lines": list(lines)}
        )

    async def finalise(self, stocktake: dict[str, Any]) -> httpx.Response:
        return await self.call("POST", f"stocktakes/{stocktake['stocktake_id']}/finalise")

    async def lines(self, stocktake: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        r = await self.call("GET", f"stocktakes/{stocktake['stocktake_id']}")
        assert r.status_code == 200, r.text
        return {(ln["lot_code"], ln["location_id"]): ln for ln in r.json()["items"]}

    async def on_hand(self, batch: str, shelf: UUID | None = None) -> int:
        return int(
            await self.pool.fetchval(
                "select quantity from stock_on_hand where store_id = $1 and batch_id = $2"
                " and location_id = $3",
                self.id,
                UUID(batch),
                shelf or self.shelf_a,
            )
        )


@pytest.fixture
async def store(databases: Databases) -> AsyncIterator[Store]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            s = Store(pool, client, issuer)
            rights = ("STOCK_ADJUST", "STOCK_INVENTORIES_EDIT")
            _, token = issuer.user(*(f"{r}|{s.id}|{uuid4()}" for r in rights))
            s.headers = {"authorization": f"Bearer {token}"}
            await s.setup()
            yield s
    await pool.close()


def key(store: Store, lot: str, shelf: UUID | None = None) -> tuple[str, str]:
    return (lot, str(shelf or store.shelf_a))


async def test_the_snapshot_holds_the_non_zero_lines_of_the_chosen_items_and_locations(
    store: Store,
) -> None:
    await store.receive(10, "L1")
    await store.receive(7, "L2", store.shelf_b)
    await store.receive(3, "X1", item=store.other)
    emptied = await store.receive(4, "L3")
    await store.issue(emptied, 4)
    whole = await store.stocktake()
    of_item = await store.stocktake(item_ids=[str(store.item)])
    of_shelf = await store.stocktake(location_ids=[str(store.shelf_a)])
    both = await store.stocktake(item_ids=[str(store.item)], location_ids=[str(store.shelf_a)])
    assert [s["lines"] for s in (whole, of_item, of_shelf, both)] == [3, 2, 2, 1]
    assert whole["snapshot_sequence"] == 5 and whole["status"] == "draft"
    lines = await store.lines(whole)
    assert {k[0]: (ln["snapshot"], ln["expected"], ln["counted"]) for k, ln in lines.items()} == {
        "L1": (10, 10, None),
        "L2": (7, 7, None),
        "X1": (3, 3, None),
    }


async def test_counts_arrive_in_several_calls_and_the_latest_count_of_a_line_wins(
    store: Store,
) -> None:
    b1, b2 = await store.receive(10, "L1"), await store.receive(5, "L2")
    st = await store.stocktake()
    assert (await store.counts(st, store.count(b1, 9, store.damaged))).status_code == 200
    r = await store.counts(st, store.count(b2, 5), store.count(b1, 10))
    assert r.status_code == 200 and (r.json()["status"], r.json()["counted"]) == ("counting", 2)
    lines = await store.lines(st)
    assert (lines[key(store, "L1")]["counted"], lines[key(store, "L1")]["variance"]) == (10, 0)


async def test_a_batch_not_in_the_snapshot_is_counted_as_a_new_line_from_zero(store: Store) -> None:
    await store.receive(10, "L1")
    st = await store.stocktake()
    stray = await store.receive(6, "L9", store.shelf_b)  # after the snapshot, then found more
    r = await store.counts(st, store.count(stray, 8, store.found, shelf=store.shelf_b))
    assert r.status_code == 200 and r.json()["lines"] == 2
    line = (await store.lines(st))[key(store, "L9", store.shelf_b)]
    assert (line["snapshot"], line["expected"], line["variance"]) == (0, 6, 2)
    assert (await store.finalise(st)).status_code == 200
    assert await store.on_hand(stray, store.shelf_b) == 8


async def test_a_receipt_during_the_count_is_expected_not_a_surplus(store: Store) -> None:
    batch = await store.receive(10, "L1")
    st = await store.stocktake()
    await store.receive(5, "L1")  # put away while the count was under way
    await store.counts(st, store.count(batch, 15))  # no reason: there is no variance
    r = await store.finalise(st)
    assert r.status_code == 200, r.text
    assert r.json()["adjustments"] == 0 and await store.on_hand(batch) == 15


async def test_a_variance_without_a_reason_is_refused_and_posts_nothing(store: Store) -> None:
    batch = await store.receive(10, "L1")
    st = await store.stocktake()
    await store.counts(st, store.count(batch, 8))
    r = await store.finalise(st)
    assert r.status_code == 422 and "variance -2 has no reason" in r.json()["detail"]
    assert await store.on_hand(batch) == 10
    assert (await store.lines(st))[key(store, "L1")]["variance"] == -2


async def test_a_reason_of_the_wrong_direction_is_refused(store: Store) -> None:
    batch = await store.receive(10, "L1")
    st = await store.stocktake()
    await store.counts(st, store.count(batch, 8, store.found))
    r = await store.finalise(st)
    assert r.status_code == 422 and "needs a debit reason" in r.json()["detail"]
    assert await store.on_hand(batch) == 10


async def test_finalising_makes_stock_on_hand_the_counts_and_publishes_the_movements(
    store: Store,
) -> None:
    b1, b2, b3 = [await store.receive(10, lot) for lot in ("L1", "L2", "L3")]
    st = await store.stocktake()
    await store.issue(b2, 3)  # during the count: expected 7
    await store.counts(
        st, store.count(b1, 12, store.found), store.count(b2, 4, store.damaged), store.count(b3, 10)
    )
    before = await store.pool.fetchval("select count(*) from outbox")
    r = await store.finalise(st)
    assert r.status_code == 200 and (r.json()["status"], r.json()["adjustments"]) == (
        "finalised",
        2,
    )
    assert [await store.on_hand(b) for b in (b1, b2, b3)] == [12, 4, 10]
    rows = await store.pool.fetch("select topic, value from outbox order by id offset $1", before)
    events = [(r["topic"], decode(r["value"]).data or {}) for r in rows]
    moved = [e for t, e in events if t == "inventory.stock-movements"]
    levels = [e["quantity_on_hand"] for t, e in events if t == "inventory.stock-levels"]
    assert [(e["movement_type"], e["quantity"]) for e in moved] == [
        ("stocktake_balance", 2),
        ("stocktake_balance", -3),
    ]
    assert {e["reference"] for e in moved} == {f"stocktake:{st['stocktake_id']}"}
    assert [e["reason_id"] for e in moved] == [str(store.found), str(store.damaged)]
    assert sorted(levels) == [4, 12]
    line = (await store.lines(st))[key(store, "L2")]
    assert (line["expected"], line["variance"], line["movement_id"] is not None) == (7, -3, True)


async def test_a_finalised_stocktake_refuses_counts_and_a_second_finalise(store: Store) -> None:
    batch = await store.receive(10, "L1")
    st = await store.stocktake()
    await store.counts(st, store.count(batch, 10))
    assert (await store.finalise(st)).status_code == 200
    assert (await store.finalise(st)).status_code == 409
    assert (await store.counts(st, store.count(batch, 9, store.damaged))).status_code == 409
    listed = (await store.call("GET", "stocktakes", params={"status": "finalised"})).json()
    assert [s["stocktake_id"] for s in listed["items"]] == [st["stocktake_id"]]


async def test_a_held_line_is_still_brought_to_its_count(store: Store) -> None:
    batch = await store.receive(10, "L1")
    hold = {"item_id": str(store.item), "batch_id": batch, "location_id": str(store.shelf_a)}
    await store.call("PUT", "stock-lines/hold", {**hold, "on_hold": True})
    st = await store.stocktake()
    await store.counts(st, store.count(batch, 6, store.damaged))
    assert (await store.finalise(st)).status_code == 200
    assert await store.on_hand(batch) == 6


async def test_a_count_outside_the_stocktakes_items_is_refused(store: Store) -> None:
    await store.receive(10, "L1")
    other = await store.receive(3, "X1", item=store.other)
    st = await store.stocktake(item_ids=[str(store.item)])
    r = await store.counts(st, store.count(other, 3, item=store.other))
    assert r.status_code == 422 and "outside this stocktake" in r.json()["detail"]


async def test_a_stocktake_of_another_store_is_not_found(store: Store) -> None:
    st = await store.stocktake()
    r = await store.call("GET", f"stocktakes/{uuid4()}")
    assert (r.status_code, st["lines"]) == (404, 0)


async def test_stocktakes_need_the_inventory_right_at_that_store(store: Store) -> None:
    issuer = store.issuer
    _, elsewhere = issuer.user(f"STOCK_INVENTORIES_EDIT|{uuid4()}|{uuid4()}")
    _, adjust_only = issuer.user(f"STOCK_ADJUST|{store.id}|{uuid4()}")
    _, allowed = issuer.user(f"STOCK_INVENTORIES_EDIT|{store.id}|{uuid4()}")
    codes = [
        (
            await store.call("GET", "stocktakes", headers={"authorization": f"Bearer {t}"})
        ).status_code
        for t in (elsewhere, adjust_only, allowed)
    ]
    assert codes == [403, 403, 200]
