"""Whatever stands between a site and central (a captive portal, a proxy's body limit), the site
keeps recording, says why it cannot sync, and syncs every event once the way is clear."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from akiba_devtools.testing import wait_until
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, Gateway, assert_ledgers_equal, record_backlog, synced
from tests.e2e.sync.portal import LinkProxy

LOOPS = ("push", "pull", "credentials")


async def _failing(gw: Gateway, store: UUID, needle: str) -> dict[str, Any] | None:
    """The status once every loop fails with `needle` in its last error."""
    status = await gw.status(store)
    loops = status["loops"]
    return status if all(needle in (loops[n]["last_error"] or "") for n in LOOPS) else None


async def test_a_site_behind_a_captive_portal_keeps_recording_and_syncs_all_once_it_is_gone(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site()
    store = site.store_ids[0]
    gw = gateways(site)
    hub, auth = LinkProxy(gw.hub_link.url).start(), LinkProxy(gw.auth_link.url).start()
    links = {"akiba_gateway_hub_url": hub.url, "akiba_gateway_auth_url": auth.url,
             "akiba_gateway_credentials_interval_seconds": "1"}  # fmt: skip
    try:
        await gw.started(gw.start(**links))
        await gw.ready_to_record()
        await gw.receive(store, 10)
        await synced(central, gw)  # the gateway holds a site token from here

        hub.portal = auth.portal = True
        for _ in range(5):
            await gw.receive(store, 3)  # the local API answers all along
        status = await wait_until(lambda: _failing(gw, store, "200 text/html"), timeout=60,
                                  what="every loop failing on the portal's page")  # fmt: skip
        assert status["not_forwarded"] >= 5
        assert all(status["loops"][n]["kind"] == "unreadable" for n in LOOPS)
        assert {"push", "pull", "credentials"} <= {e["kind"] for e in status["last_errors"]}

        # A gateway started behind the portal asks for a token and gets the page instead.
        gw.processes[-1].stop()
        restarted = gw.start(**links)
        await gw.started(restarted)
        await gw.receive(store, 4)
        await wait_until(lambda: _failing(gw, store, "oauth/token: 200 text/html"), timeout=60,
                         what="every loop failing on the portal's token page")  # fmt: skip
        assert restarted.returncode is None and hub.answered["portal"] > 0

        hub.portal = auth.portal = False
        await synced(central, gw)
        await assert_ledgers_equal(central, gw)
        await wait_until(lambda: _recovered(gw, store), timeout=30, what="every loop working again")
    finally:
        hub.stop()
        auth.stop()


async def _recovered(gw: Gateway, store: UUID) -> bool:
    loops = (await gw.status(store))["loops"]
    return all(loops[n]["failing_since"] is None for n in LOOPS)


async def test_pushes_a_proxy_finds_too_large_are_split_and_every_event_syncs_once(
    central: Central, gateways: GatewayFactory
) -> None:
    site = await central.new_site()
    gw = gateways(site)
    await record_backlog(gw, direct=600)
    proxy = LinkProxy(gw.hub_link.url, max_body=40_000).start()  # a tenth of a full push
    try:
        await gw.started(gw.start("forward", akiba_gateway_hub_url=proxy.url,
                                  akiba_gateway_push_batch_size="500",
                                  akiba_gateway_push_max_bytes="5000000"))  # fmt: skip
        await synced(central, gw)
        await assert_ledgers_equal(central, gw)
        assert proxy.answered["too_large"] >= 1  # the first pushes were refused, then split
        assert proxy.answered["relayed"] >= 600 * 1000 // 40_000
    finally:
        proxy.stop()
