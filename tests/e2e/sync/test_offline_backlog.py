"""A site records while central is unreachable; once the link is back, central has its ledger."""

from __future__ import annotations

from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, assert_ledgers_equal, synced


async def test_ten_thousand_events_recorded_offline_reach_central_once_each_in_store_order(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=2)
    gw = gateways(site)
    await gw.started(gw.start())
    await gw.ready_to_record()
    first, second = site.store_ids
    receipt = await gw.receive(first, 50)
    await synced(central, gw)

    gw.hub_link.cut()
    gw.auth_link.cut()
    for store in site.store_ids:
        await gw.receive(store, 30, lot="LOT-API")
    await gw.issue(first, receipt["batch_id"], 5)
    await gw.adjust(first, receipt["batch_id"], 2)
    await gw.record_direct(first, 6000)
    await gw.record_direct(second, 3996)
    assert gw.outbox_states().get("pending") == 10_000
    assert await central.count(site.store_ids) == 1

    gw.hub_link.restore()
    gw.auth_link.restore()
    await synced(central, gw, timeout=180)
    await assert_ledgers_equal(central, gw)
