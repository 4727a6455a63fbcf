"""A site receives its shipments offline: the supplier ships two partial shipments centrally,
the site's gateway (its links cut) confirms the first with a rejected line, and once the links
are back central shows the proof on the order, both ledgers agree for the site's store,
inventory posted nothing twice and nothing was dead-lettered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Databases
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, Gateway, assert_ledgers_equal, synced


@pytest.fixture(scope="module")
async def central(
    databases: Databases, stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Central]:
    """Central with fulfillment (and its site receipts) as real processes."""
    deployment = Central(
        stack.kafka_bootstrap, tmp_path_factory.mktemp("central"), fulfillment=True
    )
    try:
        await deployment.start(databases)
        yield deployment
    finally:
        deployment.stop()


class Supplier:
    """A central store that ships to the site's store, its dispatcher and its storekeeper."""

    def __init__(self, central: Central, item: UUID) -> None:
        self.central, self.item = central, str(item)

    async def setup(self) -> None:
        self.store, self.dispatcher = await self.central.supplier()
        self.keeper = await self.central._clerk(f"keeper-{self.store.hex[:8]}", self.store)

    async def call(self, user: str, method: str, path: str, ok: int = 200,
                   **kw: Any) -> httpx.Response:  # fmt: skip
        async def attempt() -> httpx.Response | None:
            r = await self.central.user_call(_service(path), user, method, path, **kw)
            return r if r.status_code == ok else None

        return await wait_until(attempt, what=f"{method} {path} → {ok}", timeout=90)

    async def stock_up(self, lot: str, expiry: str, quantity: int) -> None:
        body = {"item_id": self.item, "lot_code": lot, "expiry_date": expiry, "quantity": quantity}
        await self.call(self.keeper, "POST", f"/stores/{self.store}/receipts", 201, json=body)

    async def step(self, path: str, doc: httpx.Response, body: Any = None) -> httpx.Response:
        r = await self.central.user_call("fulfillment", self.dispatcher, "POST", path,
                                         json=body or {},
                                         headers={"if-match": doc.headers["etag"]})  # fmt: skip
        assert r.status_code == 200, r.text
        return r

    async def ship(self, order_id: str, packs: int) -> dict[str, Any]:
        body = {"lines": [{"orderable_id": self.item, "packs": packs}]}
        s = await self.call(self.dispatcher, "POST", f"/orders/{order_id}/shipments", 201,
                            json=body)  # fmt: skip
        sid = s.json()["shipment_id"]
        s = await self.step(f"/shipments/{sid}/allocate", s)

        async def reserved() -> httpx.Response | None:
            r = await self.central.user_call("fulfillment", self.dispatcher, "GET",
                                             f"/shipments/{sid}")  # fmt: skip
            return r if all(lot["reserved"] for lot in r.json()["lots"]) else None

        s = await wait_until(reserved, what="inventory's reservation answer", timeout=60)
        s = await self.step(f"/shipments/{sid}/pick", s)
        s = await self.step(f"/shipments/{sid}/ship", s, {"carrier": "District truck"})
        out: dict[str, Any] = s.json()
        return out


def _service(path: str) -> str:
    return "inventory" if path.startswith("/stores") else "fulfillment"


async def _local(gw: Gateway, store: UUID, path: str) -> httpx.Response | None:
    async with httpx.AsyncClient(base_url=gw.url, headers=gw.auth(store)) as c:
        r = await c.get(path)
    return r if r.status_code == 200 else None


async def _inventory(central: Central, store: UUID) -> tuple[int, int, int]:
    """(on hand, Σ ledger, dead letters anywhere in inventory) for a store, centrally."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    try:
        soh = await conn.fetchval("select coalesce(sum(quantity), 0) from stock_on_hand"
                                  " where store_id = $1", store)  # fmt: skip
        led = await conn.fetchval("select coalesce(sum(quantity), 0) from stock_movements"
                                  " where store_id = $1", store)  # fmt: skip
        dead = await conn.fetchval("select count(*) from inbox where dead_letter")
    finally:
        await conn.close()
    return int(soh), int(led), int(dead)


async def _dead_in_fulfillment(central: Central) -> int:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["fulfillment"])
    try:
        return int(await conn.fetchval("select count(*) from inbox where dead_letter"))
    finally:
        await conn.close()


async def test_a_site_receives_a_shipment_offline_and_central_agrees_once_it_is_back(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site()
    store = site.store_ids[0]
    sup = Supplier(central, site.item_id)  # the site's item comes in packs of 100
    await sup.setup()
    await sup.stock_up("EARLY", "2030-01-31", 200)
    await sup.stock_up("LATE", "2031-06-30", 600)
    gw = gateways(site)
    await gw.started(gw.start())
    await gw.ready_to_record()

    order = {"requesting_facility_id": str(store), "supplying_facility_id": str(sup.store),
             "lines": [{"orderable_id": str(site.item_id), "packs": 8}]}  # fmt: skip
    o = (await sup.call(sup.dispatcher, "POST", "/orders", 201, json=order)).json()
    first = await sup.ship(o["order_id"], 3)  # EARLY 200, then LATE 100
    second = await sup.ship(o["order_id"], 5)  # LATE 500
    assert [(x["lot_code"], x["quantity"]) for x in first["lots"]] == [
        ("EARLY", 200), ("LATE", 100),
    ]  # fmt: skip
    path = f"/inbound-shipments/{first['shipment_id']}"
    inbound = await wait_until(lambda: _local(gw, store, path), what="the shipment at the site",
                               timeout=90)  # fmt: skip
    await wait_until(lambda: _local(gw, store, f"/inbound-shipments/{second['shipment_id']}"),
                     what="the second shipment at the site", timeout=90)  # fmt: skip

    gw.hub_link.cut()
    gw.auth_link.cut()
    lines = [
        {"line_id": x["line_id"], "accepted_quantity": x["quantity"] if x["lot_code"] == "EARLY"
         else 0, "rejected_quantity": 0 if x["lot_code"] == "EARLY" else x["quantity"]}
        for x in inbound.json()["lots"]
    ]  # fmt: skip
    lines[1] |= {"rejection_reason": "DAMAGED", "note": "water damage"}
    pod = {"delivered_by": "Driver Okello", "received_by": "Nurse Amina",
           "received_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
           "lines": lines}  # fmt: skip
    async with httpx.AsyncClient(base_url=gw.url, headers=gw.auth(store)) as c:
        done = await c.post(f"{path}/proof-of-delivery", json=pod,
                            headers={"if-match": inbound.headers["etag"],
                                     "idempotency-key": "pod-first"})  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "RECEIVED"
    assert [(x["packs"], x["receipt"]["accepted_packs"]) for x in done.json()["lots"]] == [
        (2, 2), (1, 0),
    ]  # fmt: skip

    gw.hub_link.restore()
    gw.auth_link.restore()
    await synced(central, gw)

    async def received_centrally() -> dict[str, Any] | None:
        r = await central.user_call("fulfillment", sup.dispatcher, "GET",
                                    f"/orders/{o['order_id']}")  # fmt: skip
        line = r.json()["lines"][0]
        return r.json() if line["received_quantity"] == 200 else None

    central_order = await wait_until(received_centrally, what="the proof on the order",
                                     timeout=90)  # fmt: skip
    (line,) = central_order["lines"]
    assert (line["shipped_quantity"], line["received_quantity"], line["rejected_quantity"]) == (
        800, 200, 100,
    )  # fmt: skip
    assert (central_order["status"], central_order["back_ordered"]) == ("SHIPPED", False)

    async def order_at_site() -> httpx.Response | None:
        r = await _local(gw, store, f"/requested-orders/{o['order_id']}")
        return r if r and r.json()["lines"][0]["received_quantity"] == 200 else None

    await wait_until(order_at_site, what="the order's receipt back at the site", timeout=90)
    await assert_ledgers_equal(central, gw)
    assert await _inventory(central, store) == (200, 200, 0)  # posted once, by the site
    assert await _dead_in_fulfillment(central) == 0
    assert (await gw.status(store))["refused"] == 0
