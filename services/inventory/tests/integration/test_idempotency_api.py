"""Idempotency-Key on inventory's writes, through the real app on a real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.api.app import create_app
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.settings import Settings
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer


class Api:
    """The app on a fresh database: a store, an item, a credit reason, a clerk there."""

    def __init__(self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer):
        self.pool, self.client, self.issuer = pool, client, issuer
        self.store, self.item, self.found = uuid4(), uuid4(), uuid4()
        self.token = self.clerk()

    def clerk(self) -> str:
        return self.issuer.user(f"STOCK_ADJUST|{self.store}|{uuid4()}")[1]

    async def setup(self) -> None:
        await self.pool.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", self.store, "S"
        )
        await self.pool.execute(
            "insert into items (item_id, code, name) values ($1, $2, 'i')", self.item, "I"
        )
        await self.pool.execute(
            "insert into adjustment_reasons (reason_id, name, direction, category)"
            " values ($1, 'Found', 'credit', 'adjustment')",
            self.found,
        )

    async def receive(
        self, quantity: int, key: str | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"authorization": f"Bearer {token or self.token}"}
        if key:
            headers["idempotency-key"] = key
        body = {"item_id": str(self.item), "lot_code": "L1", "quantity": quantity}
        return await self.client.post(f"/stores/{self.store}/receipts", json=body, headers=headers)

    async def rows(self) -> int:
        return int(await self.pool.fetchval("select count(*) from stock_movements"))

    async def on_hand(self) -> int:
        return int(await self.pool.fetchval("select coalesce(sum(quantity), 0) from stock_on_hand"))


@asynccontextmanager
async def _api(databases: Databases, settings: Settings) -> AsyncIterator[Api]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=20)
    issuer = TestIssuer()
    app = create_app(settings, pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            api = Api(pool, client, issuer)
            await api.setup()
            yield api
    await pool.close()


@pytest.fixture
async def api(databases: Databases) -> AsyncIterator[Api]:
    async with _api(databases, Settings()) as a:
        yield a


async def test_a_retried_receipt_is_recorded_once_and_answered_the_same(api: Api) -> None:
    first = await api.receive(40, key="receipt-1")
    again = await api.receive(40, key="receipt-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert (await api.rows(), await api.on_hand()) == (1, 40)
    events = "select count(*) from outbox where topic = 'inventory.stock-movements'"
    assert await api.pool.fetchval(events) == 1


async def test_the_same_key_for_another_receipt_is_a_409_and_records_nothing(api: Api) -> None:
    await api.receive(40, key="receipt-2")
    r = await api.receive(41, key="receipt-2")
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert (await api.rows(), await api.on_hand()) == (1, 40)


async def test_concurrent_requests_with_one_key_record_once(api: Api) -> None:
    answers = await asyncio.gather(*(api.receive(7, key="receipt-3") for _ in range(8)))
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["movement_id"] for r in answers}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in answers) == 7
    assert (await api.rows(), await api.on_hand()) == (1, 7)


async def test_two_clerks_using_the_same_key_each_record(api: Api) -> None:
    await api.receive(5, key="same-key")
    r = await api.receive(5, key="same-key", token=api.clerk())
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    assert await api.rows() == 2


async def test_a_refused_write_keeps_nothing_so_the_key_can_be_used_again(api: Api) -> None:
    await api.pool.execute("update stores set active = false where store_id = $1", api.store)
    refused = await api.receive(5, key="receipt-4")
    await api.pool.execute("update stores set active = true where store_id = $1", api.store)
    accepted = await api.receive(5, key="receipt-4")
    assert refused.status_code >= 400 and accepted.status_code == 201
    assert await api.rows() == 1


async def test_a_document_of_a_thousand_lines_replays_whole(api: Api) -> None:
    batch = (await api.receive(1)).json()["batch_id"]
    line = {"item_id": str(api.item), "batch_id": batch, "quantity": 1,
            "reason_id": str(api.found)}  # fmt: skip
    body = {"direction": "positive", "lines": [line] * 1000}
    headers = {"authorization": f"Bearer {api.token}", "idempotency-key": "found-1000"}
    path = f"/stores/{api.store}/adjustments"
    first = await api.client.post(path, json=body, headers=headers)
    again = await api.client.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert len(again.json()) == 1000 and again.content == first.content
    assert (await api.rows(), await api.on_hand()) == (1001, 1001)


async def test_keys_past_the_retention_are_purged_by_the_api_process(
    databases: Databases,
) -> None:
    async with _api(databases, Settings(idempotency_purge_every_seconds=0.05)) as api:
        await api.receive(3, key="old")
        await api.receive(3, key="young")
        await api.pool.execute(
            "update idempotency_keys set created_at = now() - interval '25 hours'"
            " where created_at = (select min(created_at) from idempotency_keys)"
        )

        async def purged() -> bool:
            return await api.pool.fetchval("select count(*) from idempotency_keys") == 1

        await wait_until(purged, what="the expired key purged", timeout=10)
        again = await api.receive(3, key="old")
        assert again.status_code == 201 and "idempotent-replayed" not in again.headers
        assert await api.rows() == 3
