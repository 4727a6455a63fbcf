"""Forwarding survives the Kafka broker restarting under it (its own module: its own central)."""

from __future__ import annotations

import asyncio

from akiba_devtools import stack as local_stack
from akiba_devtools.stack import kafka as local_kafka
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


async def test_a_broker_restart_while_forwarding_loses_and_duplicates_nothing(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site(stores=1)
    gw = gateways(site)
    await record_backlog(gw, direct=3000)
    await gw.started(gw.start("forward", akiba_gateway_push_batch_size="100"))
    await wait_until(lambda: moved(gw) >= 300, interval=0.02, what="forwarding under way")
    config = local_stack.StackConfig.from_env()
    try:
        await asyncio.to_thread(local_kafka.down, config)
        store = site.store_ids[0]
        for _ in range(5):
            await gw.receive(store, 9)  # local work goes on without central
        await wait_until(lambda: push_errors(gw), what="the gateway to see the link fail")
    finally:
        await asyncio.to_thread(local_stack.up, config)
    await synced(central, gw, timeout=180)
    await assert_ledgers_equal(central, gw)
