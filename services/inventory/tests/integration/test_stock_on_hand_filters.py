"""Stock on hand searched and filtered through the real app: each filter alone and together."""

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

# (lot, item, expiry, shelf, quantity): listed by item code, then first expiry.
LINES = [
    ("L-A1", "amx", "2027-01-31", "shelf_a", 10),
    ("L-A2", "amx", "2031-06-30", "shelf_b", 5),
    ("L-A3", "amx", "2031-12-31", "shelf_a", 4),  # issued to zero below
    ("O-1", "ors", "2029-06-30", None, 2),
    ("p-9", "pcm", "2028-03-31", "shelf_a", 7),
    ("P-10", "pcm", None, "shelf_b", 3),
]
NON_EMPTY = ["L-A1", "L-A2", "O-1", "p-9", "P-10"]
IDS = {"item_id", "location_id", "program_id"}


class Store:
    """A store with three items (two under programs), two shelves and a line of each LINES."""

    def __init__(self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient) -> None:
        self.pool, self.client, self.headers = pool, client, {}
        self.id = uuid4()
        self.ids = {name: uuid4() for name in ("amx", "pcm", "ors", "shelf_a", "shelf_b")}
        self.ids |= {"epi": uuid4(), "fp": uuid4()}

    async def setup(self) -> None:
        await self.pool.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", self.id, self.id.hex
        )
        for item, code, name, programs in (
            ("amx", "AMX-250", "Amoxicillin 250mg", [self.ids["epi"]]),
            ("pcm", "PCM-500", "Paracetamol 500mg", [self.ids["fp"]]),
            ("ors", "ORS_1", "Oral rehydration salts", []),
        ):
            await self.pool.execute(
                "insert into items (item_id, code, name, program_ids) values ($1, $2, $3, $4)",
                self.ids[item], code, name, programs,
            )  # fmt: skip
        for shelf in ("shelf_a", "shelf_b"):
            await self.pool.execute(
                "insert into locations (location_id, store_id, code, name) values ($1, $2, $3, $3)",
                self.ids[shelf], self.id, shelf,
            )  # fmt: skip
        for lot, item, expiry, shelf, quantity in LINES:
            await self.receive(lot, item, expiry, shelf, quantity)

    async def receive(
        self, lot: str, item: str, expiry: str | None, shelf: str | None, quantity: int
    ) -> None:
        body = {"item_id": str(self.ids[item]), "lot_code": lot, "quantity": quantity,
                "expiry_date": expiry, "location_id": shelf and str(self.ids[shelf])}  # fmt: skip
        r = await self.client.post(f"/stores/{self.id}/receipts", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        self.ids[lot] = UUID(r.json()["batch_id"])

    async def change(self, path: str, body: dict[str, Any], method: str = "POST") -> None:
        url = f"/stores/{self.id}/{path}"
        r = await self.client.request(method, url, json=body, headers=self.headers)
        assert r.is_success, r.text

    async def lines(self, **params: Any) -> dict[str, Any]:
        r = await self.get(**params)
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def lots(self, **params: Any) -> list[str]:
        """The lot codes listed, in order, with the ids named in `params` resolved."""
        resolved = {k: str(self.ids[v]) if k in IDS else v for k, v in params.items()}
        return [line["lot_code"] for line in (await self.lines(**resolved))["items"]]

    async def get(self, **params: Any) -> httpx.Response:
        url = f"/stores/{self.id}/stock-on-hand"
        return await self.client.get(url, params=params, headers=self.headers)


@pytest.fixture
async def store(databases: Databases) -> AsyncIterator[Store]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            s = Store(pool, client)
            _, token = issuer.user(f"STOCK_ADJUST|{s.id}", f"STOCK_CARDS_VIEW|{s.id}")
            s.headers = {"authorization": f"Bearer {token}"}
            await s.setup()
            empty = {"item_id": str(s.ids["amx"]), "batch_id": str(s.ids["L-A3"]),
                     "location_id": str(s.ids["shelf_a"]), "quantity": 4}  # fmt: skip
            await s.change("issues", {"lines": [empty]})
            yield s
    await pool.close()


ALONE = {
    "no filter lists every line with stock": ({}, NON_EMPTY),
    "q matches the item code ignoring case": ({"q": "amx"}, ["L-A1", "L-A2"]),
    "q matches the item name ignoring case": ({"q": "PARACET"}, ["p-9", "P-10"]),
    "q matches inside a name": ({"q": "mg"}, ["L-A1", "L-A2", "p-9", "P-10"]),
    "q takes an underscore literally": ({"q": "_"}, ["O-1"]),
    "q takes a percent sign literally": ({"q": "%"}, []),
    "an empty q matches everything": ({"q": ""}, NON_EMPTY),
    "lot_code matches exactly ignoring case": ({"lot_code": "P-9"}, ["p-9"]),
    "lot_code is not a prefix": ({"lot_code": "L-A"}, []),
    "item_id keeps one item": ({"item_id": "pcm"}, ["p-9", "P-10"]),
    "location_id keeps one shelf": ({"location_id": "shelf_b"}, ["L-A2", "P-10"]),
    "expiring_before leaves out later and undated batches": (
        {"expiring_before": "2029-01-01"},
        ["L-A1", "p-9"],
    ),
    "program_id keeps the items ordered under it": ({"program_id": "epi"}, ["L-A1", "L-A2"]),
    "include_empty adds the lines at zero": (
        {"include_empty": "true"},
        ["L-A1", "L-A2", "L-A3", "O-1", "p-9", "P-10"],
    ),
}


@pytest.mark.parametrize(("params", "lots"), ALONE.values(), ids=ALONE.keys())
async def test_each_filter_alone_keeps_only_its_lines(
    store: Store, params: dict[str, str], lots: list[str]
) -> None:
    assert await store.lots(**params) == lots


async def test_on_hold_keeps_the_held_lines_or_the_others(store: Store) -> None:
    hold = {"item_id": str(store.ids["pcm"]), "batch_id": str(store.ids["p-9"]),
            "location_id": str(store.ids["shelf_a"]), "on_hold": True}  # fmt: skip
    await store.change("stock-lines/hold", hold, method="PUT")
    assert await store.lots(on_hold="true") == ["p-9"]
    assert await store.lots(on_hold="false") == ["L-A1", "L-A2", "O-1", "P-10"]


async def test_filters_together_keep_the_lines_matching_all_of_them(store: Store) -> None:
    near = {"q": "MG", "location_id": "shelf_a", "expiring_before": "2029-01-01"}
    assert await store.lots(**near) == ["L-A1", "p-9"]
    assert await store.lots(**near, program_id="fp") == ["p-9"]
    assert await store.lots(**near, program_id="fp", lot_code="l-a1") == []
    assert await store.lots(q="a", lot_code="o-1", item_id="ors", include_empty="true") == ["O-1"]


async def test_a_filtered_list_pages_and_counts_only_its_matches(store: Store) -> None:
    second = await store.lines(q="mg", size=1, page=1)
    assert (second["total"], [i["lot_code"] for i in second["items"]]) == (4, ["L-A2"])


@pytest.mark.parametrize(
    "params",
    [{"q": "a\x00b"}, {"q": "x" * 201}, {"lot_code": "L\x00"}, {"lot_code": "L" * 65}],
    ids=["a NUL in q", "q over 200 characters", "a NUL in lot_code", "lot_code over 64"],
)
async def test_a_search_text_with_a_nul_or_too_long_is_a_422_problem(
    store: Store, params: dict[str, str]
) -> None:
    r = await store.get(**params)
    assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json")
