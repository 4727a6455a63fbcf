"""A document central refuses for its content is voided at both ends; the store syncs on."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import orjson

from akiba_devtools.testing import wait_until
from akiba_devtools.testing.topics import read_topic
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, Gateway, synced


def _voided(gw: Gateway) -> list[str]:
    with gw.read() as c:
        return [r[0] for r in c.execute("SELECT movement_id FROM voided_ledger").fetchall()]


async def _on_hand(gw: Gateway, store: uuid.UUID) -> int:
    async with httpx.AsyncClient(base_url=gw.url) as c:
        r = await c.get(f"/stores/{store}/stock-on-hand", headers=gw.auth(store))
    assert r.status_code == 200, r.text
    return sum(int(row["quantity"]) for row in r.json()["items"])


async def test_a_receipt_of_an_item_central_does_not_know_is_voided_and_later_ones_sync(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site()
    store = site.store_ids[0]
    gw = gateways(site)
    await gw.started(gw.start())
    await gw.ready_to_record()
    await gw.receive(store, 10)
    await synced(central, gw)

    # The site's cached reference data holds an item central never had (a stale or
    # tampered cache): the gateway records it, central must refuse the document.
    ghost = uuid.uuid4()
    with gw.read() as c:
        c.execute(
            "INSERT INTO items (item_id, code, name, active, version)"
            " VALUES (?, 'GHOST', 'Ghost', 1, 1)",
            (str(ghost),),
        )
    await gw.receive(store, 7, lot="G1", item=ghost)
    with gw.read() as c:
        last = "SELECT event_id FROM outbox ORDER BY outbox_seq DESC LIMIT 1"
        ghost_event = c.execute(last).fetchone()[0]
    await gw.receive(store, 5)
    await gw.receive(store, 3)

    rejections = await read_topic(central.bootstrap, "inventory.edge-rejections", expect=1,
                                  needle=ghost_event, timeout=90)  # fmt: skip
    rejection: dict[str, Any] = orjson.loads(rejections[0].value)
    assert rejection["data"]["voided"] is True, rejection

    def settled() -> bool:
        return gw.outbox_states() == {"synced": 3, "refused": 1}

    await wait_until(settled, timeout=90, what="the site to void the refused receipt")
    assert len(_voided(gw)) == 1
    site_ledger = gw.ledger()
    assert [q for _, _, _, q in site_ledger] == [10, 5, 3]
    assert await central.ledger([store]) == site_ledger
    assert await _on_hand(gw, store) == 18
