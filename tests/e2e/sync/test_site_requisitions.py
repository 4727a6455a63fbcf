"""Requisitions at a site that is offline: drafted and sent there, applied centrally when the
link returns, decided by the supplier, and the decision back at the site."""

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
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, Gateway, synced


@pytest.fixture(scope="module")
async def central(
    databases: Databases, stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Central]:
    """Central with the requisition service as real processes."""
    deployment = Central(stack.kafka_bootstrap, tmp_path_factory.mktemp("central"), True)
    try:
        await deployment.start(databases)
        yield deployment
    finally:
        deployment.stop()


async def _central_state(central: Central, requisition_id: str) -> tuple[str, int] | None:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["requisition"])
    try:
        row = await conn.fetchrow(
            "select status, version from requisitions where requisition_id = $1",
            UUID(requisition_id),
        )
    finally:
        await conn.close()
    return None if row is None else (row[0], row[1])


def _steps(gw: Gateway, requisition_id: str) -> list[tuple[int, str]]:
    with gw.read() as c:
        rows = c.execute(
            "SELECT first_sequence, state FROM outbox WHERE store_id = ? ORDER BY outbox_seq",
            (f"requisition:{requisition_id}",),
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


async def test_an_internal_order_sent_offline_reaches_its_supplier_and_the_approval_comes_back(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site()
    store = site.store_ids[0]
    supplier, dispatcher = await central.supplier()
    gw = gateways(site)
    await gw.started(gw.start())
    await gw.ready_to_record()
    receipt = await gw.receive(store, 100)
    await gw.issue(store, receipt["batch_id"], 90)  # AMC 30 over three months, SOH 10
    await synced(central, gw)

    gw.hub_link.cut()
    gw.auth_link.cut()
    order = {"facility_id": str(store), "supplying_facility_id": str(supplier),
             "max_months_of_stock": 3, "item_ids": [str(site.item_id)]}  # fmt: skip
    async with httpx.AsyncClient(base_url=gw.url, headers=gw.auth(store)) as c:
        drafted = await c.post("/internal-orders", json=order)
        assert drafted.status_code == 201, drafted.text
        rid = drafted.json()["requisition_id"]
        # MOS = 10 / 30 is below the 3 months wanted: ceil((3 - 1/3) x 30) = 80
        assert drafted.json()["lines"][0]["calculated_order_quantity"] == 80
        sent = await c.post(f"/internal-orders/{rid}/send",
                            headers={"if-match": drafted.headers["etag"]})  # fmt: skip
        assert sent.json()["internal_order_status"] == "SENT"
    assert _steps(gw, rid) == [(0, "pending"), (1, "pending")]
    assert await _central_state(central, rid) is None  # offline: central has not heard of it

    gw.hub_link.restore()
    gw.auth_link.restore()
    await wait_until(lambda: _arrived(central, rid), what="the order applied centrally",
                     timeout=120)  # fmt: skip

    seen = await central.user_call("requisition", dispatcher, "GET",
                                   f"/customer-requisitions/{rid}")  # fmt: skip
    assert seen.json()["customer_requisition_status"] == "NEW"
    assert seen.json()["lines"][0]["calculated_order_quantity"] == 80  # the site's figures
    lines = {"lines": [{"orderable_id": str(site.item_id), "approved_quantity": 60,
                        "remarks": "what the district store holds"}]}  # fmt: skip
    edited = await central.user_call(
        "requisition", dispatcher, "PUT", f"/customer-requisitions/{rid}/lines", json=lines,
        headers={"if-match": seen.headers["etag"]},
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    approved = await central.user_call(
        "requisition", dispatcher, "POST", f"/customer-requisitions/{rid}/approve",
        headers={"if-match": edited.headers["etag"]},
    )  # fmt: skip
    assert approved.status_code == 200, approved.text

    async def decided() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=gw.url, headers=gw.auth(store)) as c:
            body: dict[str, Any] = (await c.get(f"/requisitions/{rid}")).json()
        return body if body["status"] == "APPROVED" else None

    local = await wait_until(decided, what="the approval back at the site", timeout=120)
    assert local["lines"][0]["approved_quantity"] == 60
    assert local["lines"][0]["remarks"] == "what the district store holds"
    assert _steps(gw, rid) == [(0, "synced"), (1, "synced")]


async def _arrived(central: Central, rid: str) -> bool:
    return await _central_state(central, rid) == ("AUTHORIZED", 3)
