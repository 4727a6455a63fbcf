"""A delivery received at a site's gateway while offline reaches central as its receipts."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, assert_ledgers_equal, synced


async def test_a_goods_received_document_recorded_offline_arrives_centrally_once(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site()
    gw = gateways(site)
    await gw.started(gw.start())
    await gw.ready_to_record()
    (store,) = site.store_ids
    gw.hub_link.cut()
    lines = [
        {"item_id": str(site.item_id), "lot_code": f"GRN-{n % 5}", "expiry_date": "2031-06-30",
         "quantity": 1 + n, "unit_price": "0.12"}
        for n in range(250)
    ]  # fmt: skip
    body = {"supplier": "MSD", "reference_kind": "purchase_order", "reference_number": "PO-9",
            "lines": lines}  # fmt: skip
    headers = {**gw.auth(store), "idempotency-key": "grn-e2e"}
    async with httpx.AsyncClient(base_url=gw.url) as c:
        first = await c.post(f"/stores/{store}/goods-received", json=body, headers=headers)
        again = await c.post(f"/stores/{store}/goods-received", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert gw.outbox_states() == {"pending": 1}

    gw.hub_link.restore()
    await synced(central, gw)
    await assert_ledgers_equal(central, gw)
    assert await _receipts(central, store) == {("receipt", "purchase_order:PO-9", "MSD"): 250}


async def _receipts(central: Central, store: Any) -> dict[tuple[str, str, str], int]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    try:
        rows = await conn.fetch(
            "select movement_type, reference, source, count(*) from stock_movements"
            " where store_id = $1 group by 1, 2, 3",
            store,
        )
    finally:
        await conn.close()
    return {(r[0], r[1], r[2]): r[3] for r in rows}
