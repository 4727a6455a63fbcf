"""A right held at a store for some programs covers only the items of those programs.

Every supervision assignment names a program, so a storeroom manager for EPI holds
`STOCK_ADJUST|store|EPI`: they may record, count and read EPI items at the store, and items
of no program, but not family-planning items there (403 problem+json).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_inventory.api.app import create_app
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.settings import Settings
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer

RIGHTS = ("STOCK_ADJUST", "STOCK_CARDS_VIEW", "STOCK_INVENTORIES_EDIT")


class Store:
    """A store with an EPI item, an FP item and an item of no program."""

    def __init__(self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient) -> None:
        self.pool, self.client = pool, client
        self.id, self.epi, self.fp = uuid4(), uuid4(), uuid4()
        self.epi_item, self.fp_item, self.general = uuid4(), uuid4(), uuid4()
        self.headers: dict[str, str] = {}

    async def setup(self) -> None:
        await self.pool.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", self.id, self.id.hex
        )
        for item, programs in (
            (self.epi_item, [self.epi]),
            (self.fp_item, [self.fp]),
            (self.general, []),
        ):
            await self.pool.execute(
                "insert into items (item_id, code, name, program_ids) values ($1, $2, 'i', $3)",
                item,
                item.hex,
                programs,
            )

    def as_user(self, token: str) -> Store:
        self.headers = {"authorization": f"Bearer {token}"}
        return self

    async def call(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        url = f"/stores/{self.id}/{path}"
        return await self.client.request(method, url, json=body, headers=self.headers, **kw)

    async def receive(self, item: UUID, qty: int = 10) -> httpx.Response:
        body = {"item_id": str(item), "lot_code": "L1", "quantity": qty}
        return await self.call("POST", "receipts", body)


@pytest.fixture
async def store(databases: Databases) -> AsyncIterator[tuple[Store, TestIssuer]]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            s = Store(pool, client)
            await s.setup()
            yield s, issuer
    await pool.close()


def _epi_user(store: Store, issuer: TestIssuer) -> str:
    return issuer.user(*(f"{r}|{store.id}|{store.epi}" for r in RIGHTS))[1]


def _refused(r: httpx.Response) -> None:
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "programs your right at this store does not cover" in r.json()["detail"]


async def test_items_of_the_users_programs_and_of_no_program_are_recorded(
    store: tuple[Store, TestIssuer],
) -> None:
    s, issuer = store
    s.as_user(_epi_user(s, issuer))
    assert (await s.receive(s.epi_item)).status_code == 201
    assert (await s.receive(s.general)).status_code == 201
    r = await s.call("GET", f"items/{s.epi_item}/stock-card")
    assert r.status_code == 200 and r.json()["total"] == 1


async def test_items_of_other_programs_are_refused_on_every_stock_route(
    store: tuple[Store, TestIssuer],
) -> None:
    s, issuer = store
    unscoped = issuer.user(*(f"{r}|{s.id}" for r in RIGHTS))[1]
    batch = (await s.as_user(unscoped).receive(s.fp_item)).json()["batch_id"]
    s.as_user(_epi_user(s, issuer))
    line = {"item_id": str(s.fp_item), "batch_id": batch, "quantity": 1}
    _refused(await s.receive(s.fp_item))
    _refused(await s.call("POST", "issues", {"lines": [line]}))
    _refused(await s.call("POST", "adjustments", {"direction": "negative", "lines": [line]}))
    move = {"item_id": str(s.fp_item), "batch_id": batch, "quantity": 1,
            "from_location_id": None, "to_location_id": str(uuid4())}  # fmt: skip
    _refused(await s.call("POST", "location-moves", move))
    hold = {"item_id": str(s.fp_item), "batch_id": batch, "location_id": None, "on_hold": True}
    _refused(await s.call("PUT", "stock-lines/hold", hold))
    _refused(await s.call("GET", f"items/{s.fp_item}/stock-card"))
    _refused(await s.call("GET", "stock-on-hand", params={"item_id": str(s.fp_item)}))
    _refused(await s.call("GET", f"items/{s.fp_item}/consumption"))
    _refused(await s.call("POST", "stocktakes", {"item_ids": [str(s.fp_item)]}))
    assert await s.pool.fetchval("select count(*) from stock_movements") == 1


async def test_an_unscoped_holder_of_the_right_at_the_store_records_any_item(
    store: tuple[Store, TestIssuer],
) -> None:
    s, issuer = store
    s.as_user(issuer.user(*(f"{r}|{s.id}" for r in RIGHTS))[1])
    assert (await s.receive(s.fp_item)).status_code == 201
    assert (await s.receive(s.epi_item)).status_code == 201


async def test_a_count_or_a_finalise_touching_another_programs_item_is_refused(
    store: tuple[Store, TestIssuer],
) -> None:
    s, issuer = store
    unscoped = issuer.user(*(f"{r}|{s.id}" for r in RIGHTS))[1]
    batch = (await s.as_user(unscoped).receive(s.fp_item)).json()["batch_id"]
    stocktake = (await s.call("POST", "stocktakes", {})).json()["stocktake_id"]
    count = {"item_id": str(s.fp_item), "batch_id": batch, "location_id": None, "counted": 10}
    s.as_user(_epi_user(s, issuer))
    _refused(await s.call("POST", f"stocktakes/{stocktake}/counts", {"lines": [count]}))
    r = await s.as_user(unscoped).call("POST", f"stocktakes/{stocktake}/counts", {"lines": [count]})
    assert r.status_code == 200, r.text
    _refused(await s.as_user(_epi_user(s, issuer)).call("POST", f"stocktakes/{stocktake}/finalise"))
    r = await s.as_user(unscoped).call("POST", f"stocktakes/{stocktake}/finalise")
    assert r.status_code == 200, r.text
