"""A hub whose view of the sites lags behind auth: a new site is told "later", never "no".

Central's processes learn sites from auth.sites each at its own pace. Here the hub's API holds
every site record for a while (a fault seam, as a slow consumer would), so a new site's first
pushes reach a hub that has not heard of it yet. They must be answered "retry later" (503) and
kept pending at the site, then accepted once the hub has caught up: no refusal, no hole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing.plugin import Databases
from tests.e2e.sync.harness import Central, Gateway, assert_ledgers_equal, synced

HUB_LAG_SECONDS = 8


@pytest.fixture(scope="module")
async def central(
    databases: Databases, stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Central]:
    """Central whose hub API applies each site record HUB_LAG_SECONDS late."""
    deployment = Central(stack.kafka_bootstrap, tmp_path_factory.mktemp("central-behind"))
    lag = {"AKIBA_FAULT_SITES_LAG_SECONDS": str(HUB_LAG_SECONDS)}
    try:
        await deployment.start(databases, env_of={"hub:api": lag})
        yield deployment
    finally:
        deployment.stop()


async def test_a_new_sites_pushes_wait_for_a_hub_that_has_not_heard_of_it_and_then_sync(
    central: Central, tmp_path: Path
) -> None:
    site = await central.new_site(stores=1)
    store = site.store_ids[0]
    gw = Gateway(central, site, tmp_path)
    try:
        await gw.started(gw.start())
        await gw.ready_to_record()  # the feed (not lagging) has handed the store over already
        for q in (5, 6, 7):
            await gw.receive(store, q)
        await synced(central, gw, timeout=HUB_LAG_SECONDS * 6)
        await assert_ledgers_equal(central, gw)
        with gw.read() as c:
            errors = [
                r[0] for r in c.execute("SELECT message FROM sync_errors WHERE kind = 'push'")
            ]
            refused = c.execute("SELECT count(*) FROM outbox WHERE state = 'refused'").fetchone()
        assert any("503" in e and "not known here yet" in e for e in errors), errors
        assert refused[0] == 0
    finally:
        gw.stop()
