"""Losing the broker that leads the busiest partitions, under load, loses and doubles nothing.

Central (auth, inventory, the sync hub: real processes, topics replicated 3 / min ISR 2) takes
receipts over inventory's HTTP API and a site's receipts through its gateway, the hub and
Kafka, continuously. The node leading most of the partitions those writes go to is SIGKILLed,
left dead for a minute, then started again. Afterwards every acknowledged write is in the
ledger once and on its topic once, the consumers got there on their own, no dead letters.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from akiba_devtools.testing import wait_until
from akiba_devtools.testing.plugin import Databases
from akiba_platform.kafka import partition_for
from tests.cluster.conftest import Cluster
from tests.cluster.load import (
    Sampler,
    Window,
    Writer,
    all_topics_on,
    leaders,
    read_all,
    records_in,
    under_replicated,
)
from tests.e2e.sync.harness import (
    USER_PASSWORD,
    Central,
    Gateway,
    assert_ledgers_equal,
    push_errors,
    synced,
)

MOVEMENTS = "inventory.stock-movements"
SITE_EVENTS = "sites.inventory-events"
REPLICATED = {"AKIBA_KAFKA_REPLICATION_FACTOR": "3", "AKIBA_KAFKA_MIN_INSYNC_REPLICAS": "2"}
WARM_UP, DEAD_FOR, TAIL = 15.0, 60.0, 15.0


async def test_the_partition_leaders_broker_killed_under_load_loses_and_doubles_nothing(
    cluster: Cluster, databases: Databases, tmp_path: Path
) -> None:
    central = Central(cluster.bootstrap, tmp_path / "central")
    central.workdir.mkdir()
    gw: Gateway | None = None
    try:
        await central.start(databases, extra_env=REPLICATED)
        await _topics_are_replicated(cluster)
        site = await central.new_site(stores=2)
        gw = Gateway(central, site, tmp_path, "gw")
        await gw.started(gw.start())
        await gw.ready_to_record()
        store, clerk = await central.central_store()
        await _run_and_check(cluster, central, gw, store, clerk)
    except BaseException:
        print(central.logs())
        if gw is not None:
            print(gw.logs())
        raise
    finally:
        if gw is not None:
            gw.stop()
        central.stop()


async def _topics_are_replicated(cluster: Cluster) -> None:
    """The services made the catalogue's topics with three replicas, as told."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([MOVEMENTS])
    finally:
        await admin.close()
    assert {len(p["replicas"]) for p in described["partitions"]} == {3}


async def _run_and_check(
    cluster: Cluster, central: Central, gw: Gateway, store: UUID, clerk: str
) -> None:
    site_stores = gw.site.store_ids
    first = await central.user_call(
        "inventory", clerk, "POST", f"/stores/{store}/receipts", json=_receipt(gw, 1),
        headers={"idempotency-key": str(UUID(int=1))},
    )  # fmt: skip
    assert first.status_code == 201, first.text
    tokens = _Tokens(central, clerk)
    api = Writer(f"{central.url('inventory')}/stores/{store}/receipts",
                 lambda: _receipt(gw, 3), tokens.headers)  # fmt: skip
    site = [
        Writer(f"{gw.url}/stores/{s}/receipts", lambda: _receipt(gw, 2), _site_headers(gw, s))
        for s in site_stores
    ]
    for s in site_stores:
        await gw.sign_in(s)
    ingested = Sampler(lambda: central.count(site_stores))
    published = Sampler(lambda: records_in(cluster.bootstrap, MOVEMENTS), every=0.5)
    stop = asyncio.Event()
    pids = {name: p.pid for name, p in central.processes.items()}
    tasks = [asyncio.create_task(w.run(stop)) for w in (api, *site, ingested, published)]
    try:
        began = time.monotonic()
        await asyncio.sleep(WARM_UP)
        victim = await _busiest_leader(cluster, [store, *site_stores])
        pid = cluster.pid(victim)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        failover = await _failover_seconds(cluster, victim, killed)
        await asyncio.sleep(max(0.0, DEAD_FOR - (time.monotonic() - killed)))
        restarted = time.monotonic()
        await asyncio.to_thread(cluster.restart_missing)
        back = time.monotonic()
        in_sync = asyncio.create_task(_seconds_until_in_sync(cluster, restarted))
        await asyncio.sleep(TAIL)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    stopped = time.monotonic()
    await synced(central, gw, timeout=120)
    converged = time.monotonic() - stopped

    site_writes = [w for s in site for w in s.writes]
    acknowledged_api = [first.json()["movement_id"], *map(str, api.acknowledged)]
    acknowledged_site = [str(m) for s in site for m in s.acknowledged]
    stock = await _movement_copies(cluster, MOVEMENTS, lambda e: [e["data"]["movement_id"]])
    await wait_until(
        lambda: _all_published(cluster, acknowledged_api + acknowledged_site, stock),
        what="every movement on inventory.stock-movements",
        timeout=60,
    )
    stock = await _movement_copies(cluster, MOVEMENTS, lambda e: [e["data"]["movement_id"]])
    site_copies = await _movement_copies(
        cluster, SITE_EVENTS, lambda e: [ln["movement_id"] for ln in e["data"]["lines"]]
    )
    ledger = await _ledger_copies(central, [store, *site_stores])
    dead = {t: n for t in await all_topics_on(cluster.bootstrap) if t.endswith(".dlq")
            if (n := await records_in(cluster.bootstrap, t))}  # fmt: skip

    report = {
        "killed node": victim,
        "API writes (all)": Window.of(api.writes, began, stopped),
        "API writes while a node was dead": Window.of(api.writes, killed, back),
        "site writes while a node was dead": Window.of(site_writes, killed, back),
        "pushes the hub refused (the gateway sent them again)": push_errors(gw),
        "new leaders elected after (s)": round(failover, 1),
        "longest stall of inventory's relay publishing (s)": round(
            published.longest_stall(killed - 1, back + TAIL), 1
        ),
        "longest stall of site events reaching the ledger (s)": round(
            ingested.longest_stall(killed - 1, back + TAIL), 1
        ),
        "restarted node up and in the cluster after (s)": round(back - restarted, 1),
        "restarted node back in every ISR after (s)": round(await in_sync, 1),
        "everything synced, after load stopped (s)": round(converged, 1),
        "API acknowledged": len(acknowledged_api),
        "site acknowledged": len(acknowledged_site),
        "lost from ledger": _missing(acknowledged_api + acknowledged_site, ledger),
        "doubled in ledger": _doubled(ledger),
        "lost from inventory.stock-movements": _missing(
            acknowledged_api + acknowledged_site, stock
        ),
        "doubled on inventory.stock-movements": _doubled(stock),
        "lost from sites.inventory-events": _missing(acknowledged_site, site_copies),
        "doubled on sites.inventory-events": _doubled(site_copies),
        "dead letters": dead,
    }
    print("\n--- broker loss under load ---")
    for key, value in report.items():
        print(f"{key:<58} {value}")

    assert report["lost from ledger"] == 0 and report["doubled in ledger"] == 0
    assert report["lost from inventory.stock-movements"] == 0
    assert report["doubled on inventory.stock-movements"] == 0
    assert report["lost from sites.inventory-events"] == 0
    assert report["doubled on sites.inventory-events"] == 0
    assert dead == {}, "the outage sent records to dead-letter topics"
    assert acknowledged_site and len(acknowledged_api) > 1
    await assert_ledgers_equal(central, gw)
    # Nobody restarted a service: the same processes, still running, did all of this.
    assert {name: p.pid for name, p in central.processes.items()} == pids
    assert all(p.returncode is None for p in central.processes.values()), central.logs()


def _receipt(gw: Gateway, quantity: int) -> dict[str, Any]:
    return {"item_id": str(gw.site.item_id), "lot_code": "LOT-K", "expiry_date": "2031-06-30",
            "quantity": quantity}  # fmt: skip


class _Tokens:
    """A clerk's bearer token at central, renewed well before auth's five-minute expiry."""

    def __init__(self, central: Central, clerk: str) -> None:
        self.central, self.clerk = central, clerk
        self._token, self._at = "", 0.0

    async def headers(self) -> dict[str, str]:
        if not self._token or time.monotonic() - self._at > 120:
            form = {"grant_type": "password", "username": self.clerk, "password": USER_PASSWORD}
            async with httpx.AsyncClient(base_url=self.central.url("auth")) as c:
                r = await c.post("/oauth/token", data=form)
            assert r.status_code == 200, r.text
            self._token, self._at = r.json()["access_token"], time.monotonic()
        return {"authorization": f"Bearer {self._token}"}


def _site_headers(gw: Gateway, store: UUID) -> Any:
    async def headers() -> dict[str, str]:
        return gw.auth(store)

    return headers


async def _busiest_leader(cluster: Cluster, stores: list[UUID]) -> int:
    """The node leading most of the partitions the test's stores write to."""
    led = await leaders(cluster.bootstrap, [MOVEMENTS, SITE_EVENTS])
    counts: Counter[int] = Counter()
    for topic in (MOVEMENTS, SITE_EVENTS):
        n = len([p for t, p in led if t == topic])
        for store in stores:
            counts[led[(topic, partition_for(topic, n, str(store).encode()))]] += 1
    return counts.most_common(1)[0][0]


async def _failover_seconds(cluster: Cluster, victim: int, killed: float) -> float:
    """How long until no partition of the catalogue names the killed node as its leader."""
    alive = ",".join(a for i, a in enumerate(cluster.bootstrap.split(","), 1) if i != victim)

    async def moved() -> bool:
        try:
            led = await leaders(alive, [MOVEMENTS, SITE_EVENTS])
        except Exception:  # metadata may be briefly unavailable while leaders move
            return False
        return victim not in led.values()

    await wait_until(moved, what="new leaders for the dead node's partitions", timeout=45)
    return time.monotonic() - killed


async def _seconds_until_in_sync(cluster: Cluster, restarted: float) -> float:
    """How long after the restart every replica of every topic was in sync again."""
    topics = await all_topics_on(cluster.bootstrap)

    async def in_sync() -> bool:
        return await under_replicated(cluster.bootstrap, topics) == 0

    await wait_until(in_sync, what="every partition fully in sync", timeout=150, interval=0.5)
    return time.monotonic() - restarted


async def _movement_copies(cluster: Cluster, topic: str, movements: Any) -> Counter[str]:
    """How many records of the topic carry each movement (a resent event counts twice)."""
    seen: Counter[str] = Counter()
    for event in await read_all(cluster.bootstrap, topic):
        for movement in movements(event):
            seen[str(movement)] += 1
    return seen


async def _all_published(cluster: Cluster, wanted: list[str], seen: Counter[str]) -> bool:
    if all(m in seen for m in wanted):
        return True
    seen.clear()
    seen.update(await _movement_copies(cluster, MOVEMENTS, lambda e: [e["data"]["movement_id"]]))
    return all(m in seen for m in wanted)


async def _ledger_copies(central: Central, stores: list[UUID]) -> Counter[str]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    try:
        rows = await conn.fetch(
            "select movement_id::text from stock_movements where store_id = any($1::uuid[])",
            stores,
        )
    finally:
        await conn.close()
    return Counter(r[0] for r in rows)


def _missing(acknowledged: list[str], seen: Counter[str]) -> int:
    return sum(1 for m in acknowledged if m not in seen)


def _doubled(seen: Counter[str]) -> int:
    return sum(n - 1 for n in seen.values() if n > 1)
