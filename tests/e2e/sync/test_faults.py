"""Forwarding survives a killed gateway, a restarted broker and a link cut in mid-batch."""

from __future__ import annotations

import asyncio

from akiba_platform import stack as local_stack
from akiba_platform.stack import kafka as local_kafka
from akiba_platform.testing import wait_until
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, Gateway, assert_ledgers_equal, synced


def _moved(gw: Gateway) -> int:
    """Events no longer pending (forwarded, synced or refused)."""
    states = gw.outbox_states()
    return sum(states.values()) - states.get("pending", 0)


async def _backlog(central: Central, gw: Gateway, direct: int) -> None:
    """Start the site's API and feed, sign in, then record a backlog (some of it over HTTP)."""
    await gw.started(gw.start("api,pull"))
    await gw.ready_to_record()
    for store in gw.site.store_ids:
        receipt = await gw.receive(store, 40)
        await gw.issue(store, receipt["batch_id"], 3)
        await gw.record_direct(store, direct)


async def test_a_forwarder_killed_repeatedly_loses_and_duplicates_nothing(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=2)
    gw = gateways(site)
    await _backlog(central, gw, direct=2500)
    total = sum(gw.outbox_states().values())

    for _ in range(6):
        forwarder = gw.start("forward", akiba_gateway_push_batch_size="50")
        before = _moved(gw)
        await wait_until(lambda b=before: _moved(gw) >= b + 300 or _moved(gw) == total,
                         interval=0.02, what="some forwarding before the kill")  # fmt: skip
        forwarder.kill()
        await gw.receive(site.store_ids[0], 7)  # the site keeps working meanwhile
    assert _moved(gw) < sum(gw.outbox_states().values()), "killed only once everything was sent"

    await gw.started(gw.start("forward"))
    await synced(central, gw)
    await assert_ledgers_equal(central, gw)


async def test_a_broker_restart_while_forwarding_loses_and_duplicates_nothing(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=1)
    gw = gateways(site)
    await _backlog(central, gw, direct=3000)
    await gw.started(gw.start("forward", akiba_gateway_push_batch_size="100"))
    await wait_until(lambda: _moved(gw) >= 300, interval=0.02, what="forwarding under way")
    config = local_stack.StackConfig.from_env()
    try:
        await asyncio.to_thread(local_kafka.down, config)
        store = site.store_ids[0]
        for _ in range(5):
            await gw.receive(store, 9)  # local work goes on without central
        await wait_until(lambda: _push_errors(gw), what="the gateway to see the link fail")
    finally:
        await asyncio.to_thread(local_stack.up, config)
    await synced(central, gw, timeout=180)
    await assert_ledgers_equal(central, gw)


def _push_errors(gw: Gateway) -> int:
    with gw.read() as c:
        row = c.execute("SELECT count(*) FROM sync_errors WHERE kind = 'push'").fetchone()
    return int(row[0])


async def test_a_link_cut_in_the_middle_of_a_batch_either_way_loses_and_duplicates_nothing(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=2)
    gw = gateways(site)
    await _backlog(central, gw, direct=1500)
    gw.processes[0].stop()  # pushes only from here on: every byte on the hub link is a batch
    link = gw.hub_link
    cuts = [(120_000, "up"), (2_000, "down"), (5_000, "up"), (9_000, "down")]
    link.cut_after(*cuts[0])  # type: ignore[arg-type]
    gw.start("forward", akiba_gateway_push_batch_size="200")
    for nbytes, direction in cuts[1:]:
        await wait_until(lambda: link.tripped, what="the armed cut")
        link.cut_after(nbytes, direction)  # type: ignore[arg-type]
    await wait_until(lambda: link.tripped, what="the last armed cut")
    assert link.cuts >= len(cuts)
    await wait_until(lambda: _push_errors(gw) >= len(cuts), what="each cut push to fail")
    await gw.started(gw.start("api,pull"))
    await synced(central, gw)
    await assert_ledgers_equal(central, gw)
