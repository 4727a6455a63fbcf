"""Goods-received documents through the real app on a real database: one call per delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
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

EXPIRY = (date.today() + timedelta(days=400)).isoformat()


class Api:
    """The app on a fresh database: a store with two shelves, a hundred items, a clerk."""

    def __init__(self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer):
        self.pool, self.client, self.issuer = pool, client, issuer
        self.store, self.shelves = uuid4(), [uuid4(), uuid4()]
        self.items = [uuid4() for _ in range(100)]
        self.token = self.user(f"STOCK_ADJUST|{self.store}|{uuid4()}")

    def user(self, *grants: str) -> str:
        return self.issuer.user(*grants)[1]

    async def setup(self) -> None:
        await self.pool.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", self.store, "S"
        )
        await self.pool.executemany(
            "insert into items (item_id, code, name) values ($1, $2, 'i')",
            [(i, f"I{n:03}") for n, i in enumerate(self.items)],
        )
        await self.pool.executemany(
            "insert into locations (location_id, store_id, code, name) values ($1, $2, $3, $3)",
            [(s, self.store, f"SHELF-{n}") for n, s in enumerate(self.shelves)],
        )

    def line(self, n: int, **overrides: Any) -> dict[str, Any]:
        """Line n: one of the items, its own lot, on one of the shelves."""
        return {
            "item_id": str(self.items[n % len(self.items)]), "lot_code": f"LOT-{n}",
            "expiry_date": EXPIRY, "quantity": 10 + n, "location_id": str(self.shelves[n % 2]),
            "unit_price": "0.25", **overrides,
        }  # fmt: skip

    def document(self, *lines: dict[str, Any], number: str = "PO-17") -> dict[str, Any]:
        return {
            "supplier": "Medical Stores Department", "reference_kind": "purchase_order",
            "reference_number": number, "note": "two pallets\nchecked by Amina",
            "lines": list(lines) or [self.line(0)],
        }  # fmt: skip

    async def post(
        self, body: dict[str, Any], store: UUID | None = None, token: str | None = None,
        key: str | None = None,
    ) -> httpx.Response:  # fmt: skip
        headers = {"authorization": f"Bearer {token or self.token}"}
        if key:
            headers["idempotency-key"] = key
        url = f"/stores/{store or self.store}/goods-received"
        return await self.client.post(url, json=body, headers=headers)

    async def get(self, path: str, **params: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.token}"}
        return await self.client.get(path, params=params, headers=headers)

    async def count(self, table: str) -> int:
        return int(await self.pool.fetchval(f"select count(*) from {table}"))

    async def on_hand(self) -> int:
        return int(await self.pool.fetchval("select coalesce(sum(quantity), 0) from stock_on_hand"))


@pytest.fixture
async def api(databases: Databases) -> AsyncIterator[Api]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            a = Api(pool, client, issuer)
            await a.setup()
            yield a
    await pool.close()


async def test_a_thousand_line_delivery_posted_in_one_call_puts_every_line_in_the_ledger(
    api: Api,
) -> None:
    lines = [api.line(n) for n in range(1000)]
    r = await api.post(api.document(*lines))
    assert r.status_code == 201, r.text
    doc = r.json()
    assert r.headers["location"] == f"/stores/{api.store}/goods-received/{doc['document_id']}"
    assert (doc["line_count"], len(doc["lines"])) == (1000, 1000)
    assert doc["total_quantity"] == sum(ln["quantity"] for ln in lines)
    rows = await api.pool.fetch(
        "select movement_id, movement_type, reference, source, store_sequence"
        " from stock_movements order by store_sequence"
    )
    assert [r["store_sequence"] for r in rows] == list(range(1, 1001))
    assert {(r["movement_type"], r["reference"], r["source"]) for r in rows} == {
        ("receipt", "purchase_order:PO-17", "Medical Stores Department")
    }
    assert [ln["movement_id"] for ln in doc["lines"]] == [str(r["movement_id"]) for r in rows]
    assert await api.on_hand() == doc["total_quantity"]
    assert await api.count("batches") == 1000
    assert await api.count("outbox where topic = 'inventory.stock-movements'") == 1000


async def test_a_document_reads_back_as_it_was_answered_and_the_stock_card_shows_its_reference(
    api: Api,
) -> None:
    posted = (await api.post(api.document(api.line(0), api.line(1)))).json()
    read = await api.get(f"/stores/{api.store}/goods-received/{posted['document_id']}")
    assert read.status_code == 200 and read.json() == posted
    assert posted["lines"][0]["unit_price"] == "0.2500"
    viewer = api.user(f"STOCK_CARDS_VIEW|{api.store}|{uuid4()}")
    card = await api.client.get(
        f"/stores/{api.store}/items/{api.items[0]}/stock-card",
        headers={"authorization": f"Bearer {viewer}"},
    )
    assert [(r["reference"], r["source"]) for r in card.json()["rows"]] == [
        ("purchase_order:PO-17", "Medical Stores Department")
    ]


async def test_a_document_with_bad_lines_is_refused_with_every_one_named_and_nothing_posted(
    api: Api,
) -> None:
    assert (await api.post(api.document(api.line(0, lot_code="KNOWN")))).status_code == 201
    before = await api.count("stock_movements")
    later = (date.today() + timedelta(days=900)).isoformat()
    body = api.document(
        api.line(1),
        api.line(2, item_id=str(uuid4())),
        api.line(3),
        api.line(4, location_id=str(uuid4())),
        api.line(5, lot_code="KNOWN", item_id=str(api.items[0]), expiry_date=later),
    )
    r = await api.post(body)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    named = [(e["loc"][2], e["loc"][3], e["type"]) for e in problem["errors"]]
    assert named == [
        (1, "item_id", "unknown_item"),
        (3, "location_id", "unknown_location"),
        (4, "expiry_date", "expiry_conflict"),
    ]
    assert "3 line(s)" in problem["detail"]
    assert await api.count("stock_movements") == before
    assert await api.count("goods_received") == 1


async def test_negative_and_zero_quantities_are_all_named_by_the_contract(api: Api) -> None:
    body = api.document(api.line(0, quantity=-4), api.line(1), api.line(2, quantity=0))
    r = await api.post(body)
    assert r.status_code == 422
    assert [e["loc"][2:] for e in r.json()["errors"]] == [[0, "quantity"], [2, "quantity"]]
    assert await api.count("stock_movements") == 0


async def test_more_than_five_thousand_lines_is_refused(api: Api) -> None:
    r = await api.post(api.document(*[api.line(0)] * 5001))
    assert r.status_code == 422
    assert await api.count("stock_movements") == 0


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_posts_nothing_twice(
    api: Api,
) -> None:
    body = api.document(*[api.line(n) for n in range(20)])
    first = await api.post(body, key="delivery-1")
    again = await api.post(body, key="delivery-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert await api.count("stock_movements") == 20
    assert await api.count("goods_received") == 1
    other = await api.post(api.document(api.line(0), number="PO-18"), key="delivery-1")
    assert other.status_code == 409
    assert await api.count("goods_received") == 1


async def test_the_receipt_right_at_the_store_is_needed_to_post_and_read(api: Api) -> None:
    viewer = api.user(f"STOCK_CARDS_VIEW|{api.store}|{uuid4()}")
    elsewhere = api.user(f"STOCK_ADJUST|{uuid4()}|{uuid4()}")
    for token in (viewer, elsewhere):
        assert (await api.post(api.document(), token=token)).status_code == 403
        r = await api.client.get(
            f"/stores/{api.store}/goods-received", headers={"authorization": f"Bearer {token}"}
        )
        assert r.status_code == 403
    assert await api.count("stock_movements") == 0
    assert (await api.post(api.document())).status_code == 201


async def test_an_item_of_programs_the_right_is_not_held_for_is_refused(api: Api) -> None:
    epi, fp = uuid4(), uuid4()
    await api.pool.execute(
        "update items set program_ids = $1 where item_id = $2", [fp], api.items[1]
    )
    scoped = api.user(f"STOCK_ADJUST|{api.store}|{epi}")
    r = await api.post(api.document(api.line(0), api.line(1)), token=scoped)
    assert r.status_code == 403
    assert await api.count("stock_movements") == 0


async def test_a_store_managed_by_a_site_refuses_goods_received_centrally(api: Api) -> None:
    await api.pool.execute("update stores set managed_by = 'site' where store_id = $1", api.store)
    r = await api.post(api.document())
    assert r.status_code == 409 and "managed by a site" in r.json()["detail"]
    assert await api.count("goods_received") == 0


async def test_an_unknown_document_is_404(api: Api) -> None:
    r = await api.get(f"/stores/{api.store}/goods-received/{uuid4()}")
    assert r.status_code == 404


async def test_the_list_is_newest_first_paged_and_filtered_by_reference(api: Api) -> None:
    ids = []
    for n in range(3):
        r = await api.post(api.document(api.line(n), number=f"PO-{n}"))
        ids.append(r.json()["document_id"])
    page = (await api.get(f"/stores/{api.store}/goods-received", size=2)).json()
    assert [d["document_id"] for d in page["items"]] == ids[::-1][:2]
    assert (page["total"], page["items"][0]["line_count"]) == (3, 1)
    assert "lines" not in page["items"][0]
    one = (await api.get(f"/stores/{api.store}/goods-received", reference="PO-1")).json()
    assert [d["document_id"] for d in one["items"]] == [ids[1]]


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
async def test_a_moment_at_the_edge_of_the_calendar_is_a_4xx_not_a_5xx(api: Api, when: str) -> None:
    r = await api.post({**api.document(), "received_at": when})
    assert 400 <= r.status_code < 500, r.text
    assert await api.count("stock_movements") == 0
