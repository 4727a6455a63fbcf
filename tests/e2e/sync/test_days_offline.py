"""A gateway that was off and offline for days comes back and syncs with no operator action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from akiba_devtools.testing import wait_until
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, Gateway, assert_ledgers_equal, synced

DAYS = 3


def _errors(gw: Gateway) -> int:
    with gw.read() as c:
        return int(c.execute("SELECT count(*) FROM sync_errors").fetchone()[0])


async def test_a_gateway_restarted_after_days_offline_resumes_and_syncs_on_its_own(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site()
    store = site.store_ids[0]
    gw = gateways(site)
    # Simulated clock: everything before the restart happens DAYS ago.
    before = gw.start(akiba_gateway_clock_offset_seconds=str(-DAYS * 86400))
    await gw.started(before)
    await gw.ready_to_record()
    receipt = await gw.receive(store, 100)
    await synced(central, gw)

    gw.hub_link.cut()
    gw.auth_link.cut()
    for _ in range(20):
        await gw.receive(store, 5)
    await gw.issue(store, receipt["batch_id"], 30)
    await wait_until(lambda: _errors(gw) >= 3, what="the gateway to back off from a dead link")
    before.kill()  # powered off while offline

    gw.hub_link.restore()
    gw.auth_link.restore()
    await gw.started(gw.start())  # days later, the real clock; nobody touches anything
    await synced(central, gw)
    await assert_ledgers_equal(central, gw)

    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    try:
        oldest = await conn.fetchval(
            "select min(occurred_at) from stock_movements where store_id = $1", store
        )
    finally:
        await conn.close()
    assert oldest < datetime.now(UTC) - timedelta(days=DAYS - 1), "recorded days ago, kept so"

    await gw.sign_in(store)  # credentials refreshed after the restart still sign the clerk in
    await gw.receive(store, 1)
    await synced(central, gw)
    async with httpx.AsyncClient(base_url=gw.url) as c:
        status = (await c.get("/sync/status", headers=gw.auth(store))).json()
    assert status["not_synced"] == 0 and status["oldest_unsynced_at"] is None
    last_push = datetime.fromisoformat(status["last_push_at"])
    assert abs(last_push - datetime.now(UTC)) < timedelta(minutes=5)
