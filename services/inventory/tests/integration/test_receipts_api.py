"""POST /stores/{id}/receipts through the real app on a real database."""

from __future__ import annotations

import asyncio
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


class Api:
    """The app on a fresh database with one store and one item."""

    def __init__(
        self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        self.pool, self.client, self.issuer = pool, client, issuer
        self.store_id, self.item_id = uuid4(), uuid4()
        _, self.token = issuer.user(f"STOCK_ADJUST|{self.store_id}|{uuid4()}")

    async def receive(
        self, store: UUID | None = None, token: str | None = None, **body: Any
    ) -> httpx.Response:
        payload = {"item_id": str(self.item_id), "lot_code": "L1", "quantity": 10, **body}
        return await self.client.post(
            f"/stores/{store or self.store_id}/receipts",
            json=payload,
            headers={"authorization": f"Bearer {token or self.token}"},
        )


@pytest.fixture
async def api(databases: Databases) -> AsyncIterator[Api]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=25)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            a = Api(pool, client, issuer)
            await pool.execute(
                "insert into stores (store_id, code, name) values ($1, $2, 's')",
                a.store_id,
                a.store_id.hex,
            )
            await pool.execute(
                "insert into items (item_id, code, name) values ($1, $2, 'i')",
                a.item_id,
                a.item_id.hex,
            )
            yield a
    await pool.close()


async def test_a_receipt_writes_one_ledger_row_and_its_event_in_the_outbox(api: Api) -> None:
    r = await api.receive(quantity=75, expiry_date="2028-01-31", reference="DN-1")
    assert r.status_code == 201
    body = r.json()
    row = await api.pool.fetchrow("select * from stock_movements")
    assert (row["quantity"], row["movement_type"], row["reference"]) == (75, "receipt", "DN-1")
    out = await api.pool.fetchrow(
        "select topic, key, event_id, value from outbox where topic = 'inventory.stock-movements'"
    )
    assert (out["topic"], out["key"]) == ("inventory.stock-movements", str(api.store_id))
    event = decode(out["value"])
    assert event.id == str(out["event_id"]) and event.storeseq == 1
    assert (event.data or {})["movement_id"] == body["movement_id"]
    level = await api.pool.fetchval(
        "select value from outbox where topic = 'inventory.stock-levels'"
    )
    assert (decode(level).data or {})["quantity_on_hand"] == 75


async def test_a_refused_receipt_leaves_neither_ledger_row_nor_event(api: Api) -> None:
    r = await api.receive(item_id=str(uuid4()))
    assert r.status_code == 422 and r.json()["title"] == "Item not found"
    assert await api.pool.fetchval("select count(*) from stock_movements") == 0
    assert await api.pool.fetchval("select count(*) from outbox") == 0


async def test_an_unknown_store_is_404(api: Api) -> None:
    store = uuid4()
    _, token = api.issuer.user(f"STOCK_ADJUST|{store}|{uuid4()}")
    r = await api.receive(store=store, token=token)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"lot_code": ""}, "lot_code"),
        ({"lot_code": " L1"}, "lot_code"),
        ({"expiry_date": "31/01/2028"}, "expiry_date"),
        ({"occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    r = await api.receive(**body)
    assert r.status_code == 422
    assert field in [e["loc"][-1] for e in r.json()["errors"]]


async def test_a_lot_with_a_different_expiry_is_a_409(api: Api) -> None:
    assert (await api.receive(expiry_date="2028-01-31")).status_code == 201
    r = await api.receive(expiry_date="2029-01-31")
    assert r.status_code == 409 and "2028-01-31" in r.json()["detail"]


async def test_concurrent_receipts_get_gapless_sequences_in_outbox_order(api: Api) -> None:
    results = await asyncio.gather(*(api.receive(quantity=i + 1) for i in range(20)))
    assert {r.status_code for r in results} == {201}
    seqs = [
        r["storeseq"]
        for r in await api.pool.fetch(
            "select (convert_from(value, 'UTF8')::jsonb ->> 'storeseq')::int as storeseq"
            " from outbox where topic = 'inventory.stock-movements' order by id"
        )
    ]
    assert seqs == list(range(1, 21))


async def test_the_route_declares_the_right_it_needs(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    assert spec["paths"]["/stores/{store_id}/receipts"]["post"]["x-akiba-right"] == "STOCK_ADJUST"


async def test_a_receipt_without_a_token_is_401_and_records_nothing(api: Api) -> None:
    r = await api.client.post(f"/stores/{api.store_id}/receipts", json={"quantity": 1})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert await api.pool.fetchval("select count(*) from stock_movements") == 0


async def test_a_receipt_at_a_store_the_user_holds_no_right_at_is_403(api: Api) -> None:
    elsewhere = uuid4()
    _, token = api.issuer.user(f"STOCK_ADJUST|{elsewhere}|{uuid4()}")
    r = await api.receive(token=token)
    assert r.status_code == 403 and "STOCK_ADJUST" in r.json()["detail"]
    assert await api.pool.fetchval("select count(*) from stock_movements") == 0


async def test_viewing_stock_is_not_enough_to_receive_it(api: Api) -> None:
    _, token = api.issuer.user(f"STOCK_CARDS_VIEW|{api.store_id}|{uuid4()}")
    assert (await api.receive(token=token)).status_code == 403


async def test_the_ledger_names_the_user_who_recorded_the_receipt(api: Api) -> None:
    user_id, _ = api.issuer.user(f"STOCK_ADJUST|{api.store_id}|{uuid4()}")
    token = api.issuer.token(str(user_id), username="wanjiru")
    assert (await api.receive(token=token)).status_code == 201
    assert await api.pool.fetchval("select actor from stock_movements") == "wanjiru"


async def test_stock_on_hand_needs_stock_cards_view_at_the_store(api: Api) -> None:
    url = f"/stores/{api.store_id}/stock-on-hand"
    _, viewer = api.issuer.user(f"STOCK_CARDS_VIEW|{api.store_id}|{uuid4()}")
    _, other = api.issuer.user(f"STOCK_CARDS_VIEW|{uuid4()}|{uuid4()}")
    allowed = await api.client.get(url, headers={"authorization": f"Bearer {viewer}"})
    refused = await api.client.get(url, headers={"authorization": f"Bearer {other}"})
    assert (allowed.status_code, refused.status_code) == (200, 403)
