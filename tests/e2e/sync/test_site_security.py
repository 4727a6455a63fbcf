"""A site can never write another site's stores: refused at the hub and again at inventory."""

from __future__ import annotations

import httpx

from akiba_devtools.testing import wait_until
from akiba_devtools.testing.topics import read_topic
from akiba_platform import kafka
from tests.e2e.sync.conftest import GatewayFactory
from tests.e2e.sync.harness import Central, Gateway, assert_ledgers_equal, synced


def _refused(gw: Gateway) -> list[tuple[str, bytes]]:
    with gw.read() as c:
        rows = c.execute(
            "SELECT event_id, body FROM outbox JOIN outbox_body USING (outbox_seq)"
            " WHERE state = 'refused'"
        ).fetchall()
    return [(r[0], bytes(r[1])) for r in rows]


async def test_site_a_writing_a_store_of_site_b_is_refused_applied_nowhere_and_alerted(
    central: Central, gateways: GatewayFactory
) -> None:
    a, b = await central.new_site(), await central.new_site()
    gw = gateways(a)
    await gw.started(gw.start())
    await gw.ready_to_record()
    await gw.receive(a.store_ids[0], 10)
    victim = b.store_ids[0]
    # A tampered gateway: site A's database claims B's store, so it records and pushes to it.
    with gw.read() as c:
        c.execute("INSERT INTO stores (store_id, managed, ready) VALUES (?, 1, 1)", (str(victim),))
    gw.site.clerks[victim] = gw.site.clerks[a.store_ids[0]]
    await gw.record_direct(victim, 3)

    refused = await wait_until(lambda: len(_refused(gw)) == 3 and _refused(gw),
                               what="the hub to refuse A's events for B's store")  # fmt: skip
    alerts = await read_topic(central.bootstrap, "sites.refusals", expect=1,
                              needle=refused[0][0])  # fmt: skip
    assert alerts, "a refused write is an alert for operations"

    async with httpx.AsyncClient() as c:
        token = (await c.post(f"{central.url('auth')}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": str(a.site_id),
            "client_secret": a.secret,
        })).json()["access_token"]  # fmt: skip
        as_b = await c.post(f"{central.url('hub')}/sites/{b.site_id}/events", json=[],
                            headers={"authorization": f"Bearer {token}"})  # fmt: skip
    assert as_b.status_code == 403, as_b.text

    # Past the hub (a leaked producer credential): inventory refuses it too, and says so.
    event_id, body = refused[0]
    producer = kafka.producer(central.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait("sites.inventory-events", body, key=str(victim).encode())
    finally:
        await producer.stop()
    rejected = await read_topic(central.bootstrap, "inventory.edge-rejections", expect=1,
                                needle=event_id, timeout=60)  # fmt: skip
    assert rejected, "inventory must refuse and report a write to a store the site does not manage"
    assert await central.count([victim]) == 0

    gw.site.store_ids.append(victim)  # the comparison covers B's store too: nothing on either side
    with gw.read() as c:
        c.execute("DELETE FROM ledger WHERE store_id = ?", (str(victim),))
        c.execute("DELETE FROM outbox WHERE store_id = ?", (str(victim),))
    await synced(central, gw)
    await assert_ledgers_equal(central, gw)
