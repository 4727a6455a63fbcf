"""An order from release to shelf through real processes: requisition releases an internal
order, fulfillment opens the order, two partial shipments are allocated FEFO, reserved by
inventory, picked and shipped, and the receiver confirms both with one rejection; the
ledgers of both stores, their reservations and the order agree at every step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Databases
from tests.e2e.sync.harness import Central


@pytest.fixture(scope="module")
async def central(
    databases: Databases, stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Central]:
    """Central with requisition and fulfillment as real processes."""
    deployment = Central(
        stack.kafka_bootstrap, tmp_path_factory.mktemp("central"), requisition=True,
        fulfillment=True,
    )  # fmt: skip
    try:
        await deployment.start(databases)
        yield deployment
    finally:
        deployment.stop()


class Flow:
    """The two stores, their people and the item, with calls that must succeed."""

    def __init__(self, central: Central) -> None:
        self.central = central
        self.while_reserved = (0, 0, 0)  # the supplier's stock once the last shipment reserved

    async def setup(self) -> None:
        c = self.central
        self.supplier, self.dispatcher = await c.supplier()
        _, self.keeper = await self._clerk_at(self.supplier)
        self.receiver, self.nurse = await c.central_store()
        item = await c.call("inventory", "POST", "/items", {
            "code": f"AMX-{self.receiver.hex[:6]}", "name": "Amoxicillin 250",
            "dispensing_unit": "capsule", "net_content": 10,
        })  # fmt: skip
        self.item = item["item_id"]

    async def _clerk_at(self, store: UUID) -> tuple[UUID, str]:
        return store, await self.central._clerk(f"keeper-{store.hex[:8]}", store)

    async def as_user(self, user: str, service: str, method: str, path: str, ok: int = 200,
                      **kw: Any) -> httpx.Response:  # fmt: skip
        async def attempt() -> httpx.Response | None:
            r = await self.central.user_call(service, user, method, path, **kw)
            return r if r.status_code == ok else None

        return await wait_until(attempt, what=f"{method} {path} → {ok}", timeout=90)

    async def receive_at_supplier(self, lot: str, expiry: str, quantity: int) -> None:
        body = {"item_id": self.item, "lot_code": lot, "expiry_date": expiry,
                "quantity": quantity}  # fmt: skip
        await self.as_user(self.keeper, "inventory", "POST", f"/stores/{self.supplier}/receipts",
                           201, json=body)  # fmt: skip

    async def step(self, user: str, service: str, path: str, doc: httpx.Response,
                   body: Any = None) -> httpx.Response:  # fmt: skip
        r = await self.central.user_call(service, user, "POST", path, json=body or {},
                                         headers={"if-match": doc.headers["etag"]})  # fmt: skip
        assert r.status_code == 200, r.text
        return r

    async def ship(self, order_id: str, packs: int | None) -> dict[str, Any]:
        body = {} if packs is None else {"lines": [{"orderable_id": self.item, "packs": packs}]}
        s = await self.as_user(self.dispatcher, "fulfillment", "POST",
                               f"/orders/{order_id}/shipments", 201, json=body)  # fmt: skip
        sid = s.json()["shipment_id"]
        s = await self.step(self.dispatcher, "fulfillment", f"/shipments/{sid}/allocate", s)

        async def reserved() -> httpx.Response | None:
            r = await self.central.user_call("fulfillment", self.dispatcher, "GET",
                                             f"/shipments/{sid}")  # fmt: skip
            return r if all(lot["reserved"] for lot in r.json()["lots"]) else None

        s = await wait_until(reserved, what="inventory's reservation answer", timeout=60)
        self.while_reserved = await self.stock(self.supplier)
        s = await self.step(self.dispatcher, "fulfillment", f"/shipments/{sid}/pick", s)
        s = await self.step(self.dispatcher, "fulfillment", f"/shipments/{sid}/ship", s,
                            {"carrier": "District truck"})  # fmt: skip
        out: dict[str, Any] = s.json()
        return out

    async def stock(self, store: UUID) -> tuple[int, int, int]:
        """(on hand, reserved, Σ ledger) of the item at a store, centrally."""
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.central.dsn["inventory"])
        try:
            q, r = await conn.fetchrow(
                "select coalesce(sum(quantity), 0), coalesce(sum(reserved), 0) from stock_on_hand"
                " where store_id = $1 and item_id = $2", store, UUID(self.item))  # fmt: skip
            led = await conn.fetchval(
                "select coalesce(sum(quantity), 0) from stock_movements where store_id = $1"
                " and item_id = $2", store, UUID(self.item))  # fmt: skip
            dead = await conn.fetchval("select count(*) from inbox where dead_letter")
        finally:
            await conn.close()
        assert dead == 0
        return int(q), int(r), int(led)


async def test_a_released_order_is_shipped_in_two_parts_and_received_with_a_rejection(
    central: Central,
) -> None:
    f = Flow(central)
    await f.setup()
    await f.receive_at_supplier("LATE", "2031-06-30", 300)
    await f.receive_at_supplier("EARLY", "2030-01-31", 40)

    # The requesting store orders 12 packs; the supplier approves and releases them.
    draft = {"facility_id": str(f.receiver), "supplying_facility_id": str(f.supplier),
             "item_ids": [f.item]}  # fmt: skip
    io = await f.as_user(f.nurse, "requisition", "POST", "/internal-orders", 201, json=draft)
    rid = io.json()["requisition_id"]
    lines = {"lines": [{"orderable_id": f.item, "requested_quantity": 120}]}
    io = await f.as_user(f.nurse, "requisition", "PUT", f"/requisitions/{rid}/lines", json=lines,
                         headers={"if-match": io.headers["etag"]})  # fmt: skip
    io = await f.step(f.nurse, "requisition", f"/internal-orders/{rid}/send", io)
    seen = await f.as_user(f.dispatcher, "requisition", "GET", f"/customer-requisitions/{rid}")
    approved = {"lines": [{"orderable_id": f.item, "approved_quantity": 120}]}
    seen = await f.as_user(f.dispatcher, "requisition", "PUT",
                           f"/customer-requisitions/{rid}/lines", json=approved,
                           headers={"if-match": seen.headers["etag"]})  # fmt: skip
    seen = await f.step(f.dispatcher, "requisition", f"/customer-requisitions/{rid}/approve", seen)
    if seen.json()["status"] != "RELEASED":  # a supplier fulfilling locally releases at once
        await f.step(f.dispatcher, "requisition", f"/requisitions/{rid}/release", seen,
                     {"supplying_facility_id": str(f.supplier)})  # fmt: skip

    async def ordered() -> dict[str, Any] | None:
        r = await central.user_call("fulfillment", f.dispatcher, "GET", "/orders",
                                    params={"supplying_facility_id": str(f.supplier)})  # fmt: skip
        found = [o for o in r.json().get("items", []) if o["requisition_id"] == rid]
        return found[0] if found else None

    order = await wait_until(ordered, what="the order opened from the release", timeout=60)
    assert order["lines"][0]["ordered_quantity"] == 120

    first = await f.ship(order["order_id"], packs=5)  # 50 units: the 40 expiring first, then 10
    assert f.while_reserved == (340, 50, 340)  # reserved, still on hand, ledger unchanged
    assert [(lot["lot_code"], lot["quantity"]) for lot in first["lots"]] == [
        ("EARLY", 40),
        ("LATE", 10),
    ]
    await wait_until(lambda: _is(f.stock(f.supplier), (290, 0, 290)), what="first issue posted")
    second = await f.ship(order["order_id"], packs=None)  # the back-order: 70 units
    await wait_until(lambda: _is(f.stock(f.supplier), (220, 0, 220)), what="second issue posted")

    for shipment, rejected in ((first, 10), (second, 0)):
        inbound = await f.as_user(f.nurse, "fulfillment", "GET",
                                  f"/inbound-shipments/{shipment['shipment_id']}")  # fmt: skip
        pod_lines = []
        for lot in inbound.json()["lots"]:
            cut = min(rejected, lot["quantity"])
            rejected -= cut
            line: dict[str, Any] = {"line_id": lot["line_id"],
                                    "accepted_quantity": lot["quantity"] - cut,
                                    "rejected_quantity": cut}  # fmt: skip
            if cut:
                line["rejection_reason"] = "DAMAGED"
            pod_lines.append(line)
        pod = {"delivered_by": "Driver Okello", "received_by": "Nurse Amina",
               "received_at": "2026-12-06T08:00:00+00:00", "lines": pod_lines}  # fmt: skip
        await f.step(f.nurse, "fulfillment",
                     f"/inbound-shipments/{shipment['shipment_id']}/proof-of-delivery",
                     inbound, pod)  # fmt: skip

    await wait_until(lambda: _is(f.stock(f.receiver), (110, 0, 110)), what="receipts posted")
    done = await f.as_user(f.nurse, "fulfillment", "GET", f"/requested-orders/{order['order_id']}")
    (line,) = done.json()["lines"]
    assert (done.json()["status"], done.json()["back_ordered"]) == ("RECEIVED", False)
    assert (line["shipped_quantity"], line["received_quantity"], line["rejected_quantity"]) == (
        120,
        110,
        10,
    )
    assert await f.stock(f.supplier) == (220, 0, 220)


async def _is(value: Any, wanted: Any) -> bool:
    return bool(await value == wanted)
