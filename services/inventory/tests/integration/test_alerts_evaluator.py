"""The alert evaluator on the real ledger: alerts start and end once, precedence, the sweep."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_contracts.envelope import CloudEvent, decode
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.adapters.alerts import AsyncpgAlerts
from akiba_inventory.api.app import create_app
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.consumers import alerting
from akiba_inventory.settings import Settings
from akiba_platform.consumer import Delivery
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer

NOW = datetime.now(UTC)
STARTED, ENDED = "org.akiba.inventory.alert.started.v1", "org.akiba.inventory.alert.ended.v1"


class Store:
    """A store with an item; movements go through the API, the evaluator reads the outbox."""

    def __init__(self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient) -> None:
        self.pool, self.client = pool, client
        self.id, self.item = uuid4(), uuid4()
        self.headers: dict[str, str] = {}
        self.read_up_to = 0  # outbox id: movements before it were handed to the evaluator
        self.batch = ""

    async def setup(self) -> None:
        await self.pool.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 's')", self.id, self.id.hex
        )
        await self.pool.execute(
            "insert into items (item_id, code, name) values ($1, $2, 'i')", self.item, self.item.hex
        )

    async def receive(self, qty: int, days_ago: float = 0, expiry: str = "2031-03-31") -> str:
        body = {
            "item_id": str(self.item),
            "lot_code": f"L-{expiry}",
            "quantity": qty,
            "expiry_date": expiry,
            "occurred_at": (NOW - timedelta(days=days_ago)).isoformat(),
        }
        r = await self.client.post(f"/stores/{self.id}/receipts", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        self.batch = str(r.json()["batch_id"])
        return self.batch

    async def issue(self, qty: int, days_ago: float = 0) -> None:
        line = {"item_id": str(self.item), "batch_id": self.batch, "quantity": qty}
        at = (NOW - timedelta(days=days_ago)).isoformat()
        r = await self.client.post(
            f"/stores/{self.id}/issues",
            json={"lines": [line], "occurred_at": at},
            headers=self.headers,
        )
        assert r.status_code == 201, r.text

    async def evaluate(self, *, again: bool = False) -> list[CloudEvent]:
        """Hand the new movement events to the evaluator in one batch; the alert events it wrote."""
        rows = await self.pool.fetch(
            "select id, value from outbox where topic = 'inventory.stock-movements' and id > $1"
            " order by id",
            0 if again else self.read_up_to,
        )
        events = [decode(r["value"]) for r in rows]
        deliveries = [Delivery(e, cast(Any, None), UUID(e.id)) for e in events]
        return await self._alerts_written(alerting.evaluator(lambda: NOW), deliveries)

    async def sweep(self, now: datetime) -> list[CloudEvent]:
        async def run(conn: Any, _: list[Delivery]) -> None:
            await alerting.sweep(self.pool, now, chunk=1)

        return await self._alerts_written(run, [])

    async def _alerts_written(self, handler: Any, deliveries: list[Delivery]) -> list[CloudEvent]:
        before = await self.pool.fetchval("select coalesce(max(id), 0) from outbox")
        async with self.pool.acquire() as conn, conn.transaction():
            await handler(conn, deliveries)
        self.read_up_to = await self.pool.fetchval("select coalesce(max(id), 0) from outbox")
        rows = await self.pool.fetch(
            "select value from outbox where topic = 'inventory.alerts' and id > $1 order by id",
            before,
        )
        return [decode(r["value"]) for r in rows]


def kinds(events: list[CloudEvent]) -> list[tuple[str, str]]:
    """(started|ended, kind) of each alert event, in outbox order."""
    return [(e.type.split(".")[-2], str((e.data or {})["kind"])) for e in events]


@pytest.fixture
async def store(databases: Databases) -> AsyncIterator[Store]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            s = Store(pool, client)
            _, token = issuer.user(f"STOCK_ADJUST|{s.id}|{uuid4()}")
            s.headers = {"authorization": f"Bearer {token}"}
            await s.setup()
            yield s
    await pool.close()


async def test_low_stock_starts_once_and_ends_once_when_mos_crosses_back(store: Store) -> None:
    await store.receive(1000, days_ago=100)
    assert await store.evaluate() == []  # no consumption: no MOS, nothing to say
    await store.issue(900, days_ago=50)  # AMC 300, SOH 100: MOS 0.33
    started = await store.evaluate()
    assert kinds(started) == [("started", "low_stock")]
    assert started[0].partitionkey == f"{store.id}:{store.item}"
    await store.issue(10, days_ago=1)  # still low: a new figure is not a new alert
    assert await store.evaluate() == []
    assert await store.evaluate(again=True) == []  # re-evaluating the same state: nothing
    await store.receive(1000)  # SOH 1090, AMC 303.33: MOS 3.59
    ended = await store.evaluate()
    assert kinds(ended) == [("ended", "low_stock")]
    assert (ended[0].data or {})["alert_id"] == (started[0].data or {})["alert_id"]
    assert await store.pool.fetchval("select count(*) from active_alerts") == 0


async def test_out_of_stock_replaces_low_stock_and_the_end_comes_before_the_start(
    store: Store,
) -> None:
    await store.receive(1000, days_ago=100)
    await store.issue(900, days_ago=50)
    assert kinds(await store.evaluate()) == [("started", "low_stock")]
    await store.issue(100, days_ago=1)
    assert kinds(await store.evaluate()) == [("ended", "low_stock"), ("started", "out_of_stock")]
    rows = await store.pool.fetch("select kind from active_alerts where store_id = $1", store.id)
    assert [r["kind"] for r in rows] == ["out_of_stock"]


async def test_overstock_starts_above_the_maximum(store: Store) -> None:
    await store.receive(5000, days_ago=100)
    await store.issue(900, days_ago=50)  # SOH 4100, AMC 300: MOS 13.67
    events = await store.evaluate()
    assert kinds(events) == [("started", "overstock")]
    assert (events[0].data or {})["months_of_stock"] == "13.67"


async def test_a_store_setting_moves_the_thresholds(store: Store) -> None:
    await store.pool.execute(
        "insert into stock_settings (store_id, min_mos, max_mos) values ($1, 0.1, 0.2)", store.id
    )
    await store.receive(1000, days_ago=100)
    await store.issue(900, days_ago=50)  # MOS 0.33 > 0.2
    assert kinds(await store.evaluate()) == [("started", "overstock")]


async def test_negative_stock_outranks_every_other_stock_level(store: Store) -> None:
    await store.receive(1000, days_ago=100)
    await store.issue(900, days_ago=50)
    await store.evaluate()
    # Edge facts can take SOH below zero; the central API cannot, so write the line directly.
    await store.pool.execute("update stock_on_hand set quantity = -5 where store_id = $1", store.id)
    async with store.pool.acquire() as conn, conn.transaction():
        started, ended = await alerting.reevaluate(conn, [(store.id, store.item)], NOW)
    assert [s.alert.kind for s in ended] == ["low_stock"]
    assert [(s.alert.kind, s.stock_on_hand) for s in started] == [("negative_stock", -5)]


async def test_the_sweep_starts_expiring_soon_then_expired_on_the_injected_day(
    store: Store,
) -> None:
    batch = await store.receive(10, expiry="2030-01-31")
    assert await store.evaluate() == []
    assert await store.sweep(datetime(2029, 11, 1, 6, tzinfo=UTC)) == []  # 91 days before
    soon = await store.sweep(datetime(2029, 11, 2, 6, tzinfo=UTC))  # 90 days before
    assert kinds(soon) == [("started", "expiring_soon")]
    data = soon[0].data or {}
    assert (data["batch_id"], data["expiry_date"]) == (batch, "2030-01-31")
    assert soon[0].partitionkey == f"{store.id}:{store.item}:{batch}"
    assert await store.sweep(datetime(2030, 1, 31, 6, tzinfo=UTC)) == []  # usable on the day
    expired = await store.sweep(datetime(2030, 2, 1, 6, tzinfo=UTC))
    assert kinds(expired) == [("ended", "expiring_soon"), ("started", "expired")]
    assert await store.sweep(datetime(2030, 2, 2, 6, tzinfo=UTC)) == []


async def test_the_sweep_ends_an_alert_whose_consumption_left_the_window(store: Store) -> None:
    await store.receive(1000, days_ago=100)
    await store.issue(1000, days_ago=50)
    assert kinds(await store.evaluate()) == [("started", "out_of_stock")]
    later = await store.sweep(NOW + timedelta(days=60))  # the issue is now 110 days back
    assert kinds(later) == [("ended", "out_of_stock")]


async def test_one_instance_claims_each_sweep_turn(store: Store) -> None:
    day = timedelta(days=1)
    async with store.pool.acquire() as conn:
        repo = AsyncpgAlerts(conn)
        claims = [
            await repo.claim_sweep("t", NOW, day),
            await repo.claim_sweep("t", NOW + timedelta(hours=1), day),
            await repo.claim_sweep("t", NOW + day, day),
        ]
    assert claims == [True, False, True]
