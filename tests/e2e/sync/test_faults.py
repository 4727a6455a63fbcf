"""Forwarding survives a killed gateway and a link cut in mid-batch."""

from __future__ import annotations

from akiba_devtools.testing import wait_until
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import (
    Central,
    assert_ledgers_equal,
    moved,
    push_errors,
    record_backlog,
    synced,
)


async def test_a_forwarder_killed_repeatedly_loses_and_duplicates_nothing(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=2)
    gw = gateways(site)
    await record_backlog(gw, direct=2500)
    total = sum(gw.outbox_states().values())

    for _ in range(6):
        forwarder = gw.start("forward", akiba_gateway_push_batch_size="50")
        before = moved(gw)
        await wait_until(lambda b=before: moved(gw) >= b + 300 or moved(gw) == total,
                         interval=0.02, what="some forwarding before the kill")  # fmt: skip
        forwarder.kill()
        await gw.receive(site.store_ids[0], 7)  # the site keeps working meanwhile
    assert moved(gw) < sum(gw.outbox_states().values()), "killed only once everything was sent"

    await gw.started(gw.start("forward"))
    await synced(central, gw)
    await assert_ledgers_equal(central, gw)


async def test_a_link_cut_in_the_middle_of_a_batch_either_way_loses_and_duplicates_nothing(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=2)
    gw = gateways(site)
    await record_backlog(gw, direct=1500)
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
    await wait_until(lambda: push_errors(gw) >= len(cuts), what="each cut push to fail")
    await gw.started(gw.start("api,pull"))
    await synced(central, gw)
    await assert_ledgers_equal(central, gw)
