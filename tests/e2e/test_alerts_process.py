"""Alerts through real processes: HTTP → ledger → relay → alert role → inventory.alerts."""

from __future__ import annotations

import httpx
import orjson

from akiba_devtools.testing import wait_until
from akiba_devtools.testing.topics import read_topic

from .conftest import Inventory

EVALUATOR = "inventory.alert-evaluator"


async def _issue(inventory: Inventory, batch: str, quantity: int) -> None:
    line = {"item_id": str(inventory.item_id), "batch_id": batch, "quantity": quantity}
    async with httpx.AsyncClient(base_url=inventory.url) as c:
        r = await c.post(
            f"/stores/{inventory.store_id}/issues",
            headers={"authorization": f"Bearer {inventory.token}"},
            json={"lines": [line]},
        )
    assert r.status_code == 201, r.text


async def _evaluated(inventory: Inventory, movements: int) -> bool:
    """Whether the alert role applied this store's movements and the relay published its output.

    The topic is shared with other tests, so the inbox is checked for this store's events only.
    """
    ours = await read_topic(
        inventory.bootstrap,
        "inventory.stock-movements",
        needle=str(inventory.store_id),
        expect=movements,
        timeout=5,
        linger=0,
    )
    ids = [orjson.loads(r.value)["id"] for r in ours]
    applied = await inventory.fetchval(
        "select count(*) from inbox where consumer = $1 and event_id = any($2::uuid[])",
        EVALUATOR,
        ids,
    )
    pending = await inventory.fetchval("select count(*) from outbox")
    return bool(len(ids) == movements and applied == movements and pending == 0)


async def test_issues_that_take_mos_below_3_publish_one_low_stock_alert(
    inventory: Inventory,
) -> None:
    inventory.process("api,relay")
    alert = inventory.process("alert")
    await inventory.api_ready()
    await inventory.started(alert)
    r = await inventory.receive(1000)
    assert r.status_code == 201, r.text
    batch = r.json()["batch_id"]
    await _issue(inventory, batch, 600)  # all consumption in days: AMC far above SOH / 3
    await _issue(inventory, batch, 50)  # still low stock: nothing new to say
    # A new consumer group reads the shared topic from its start: allow for a backlog.
    await wait_until(
        lambda: _evaluated(inventory, 3), timeout=120, what="three movements evaluated"
    )
    records = await read_topic(
        inventory.bootstrap, "inventory.alerts", needle=str(inventory.store_id), expect=1
    )
    assert len(records) == 1, "an alert is published when it starts, not on every movement"
    event = orjson.loads(records[0].value)
    assert event["type"] == "org.akiba.inventory.alert.started.v1"
    # The role may see both issues in one batch: it reports the stock it evaluated.
    assert (event["data"]["kind"], event["data"]["stock_on_hand"] in (400, 350)) == (
        "low_stock",
        True,
    )
    assert records[0].key.decode() == f"{inventory.store_id}:{inventory.item_id}"
