"""Catch-up: a site's offline backlog applied at central, end to end, through real processes.

Central (auth, inventory api+relay and ingest, the sync hub api and feed) and one gateway run
as OS processes on the stack (tests/e2e/sync/harness.py). While the gateway's link to the
hub is cut, N one-line receipts are recorded with the gateway's own recording code (batched
transactions: the backlog's set-up, not the measurement). Then a gateway process with the
forward and pull roles starts with the link restored, and the clock runs until inventory's
`stock_movements` holds every event (and, separately, until the gateway marked them all
synced from the acks on its feed). The gateway's peak RSS is its VmHWM at the end, with
VmRSS sampled along the way.

Raw baseline in the same run: the same encoded events (read from the gateway's outbox),
produced with the platform's producer (idempotent, acks=all) to a bench topic, keyed by store.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from akiba_contracts.sync import PUSH_BATCH_LIMIT
from akiba_devtools import stack
from akiba_devtools.testing import ServiceProcess
from akiba_devtools.testing.plugin import Databases
from akiba_platform import kafka
from tests.e2e.sync.harness import Central, Gateway

TARGET_EVENTS_PER_S = 8_500  # 1M events in under 2 minutes
TARGET_RSS_MB = 150
CHUNK = 5_000


def _memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


async def _until_count(
    central: Central, stores: list[uuid.UUID], n: int, proc: ServiceProcess, gw: Gateway
) -> float:
    """Wait until central holds n movements of the stores; the highest VmRSS seen meanwhile."""
    assert proc.pid is not None
    peak = 0.0
    while await central.count(stores) < n:
        if proc.returncode is not None:  # else the bench would wait for it forever
            raise RuntimeError(f"the gateway exited ({proc.returncode}):\n{gw.logs()[-3000:]}")
        peak = max(peak, _memory(proc.pid).get("VmRSS", 0.0))
        await asyncio.sleep(0.25)
    return peak


def _pushes_answered(db_path: Path) -> tuple[datetime, datetime]:
    """When the gateway heard the first push answered, and the last."""
    conn = sqlite3.connect(db_path)
    try:
        first, last = conn.execute(
            "SELECT min(forwarded_at), max(forwarded_at) FROM outbox"
        ).fetchone()
    finally:
        conn.close()
    return datetime.fromisoformat(first), datetime.fromisoformat(last)


def _seconds(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds(), 1)


def _synced(gw: Gateway) -> bool:
    return set(gw.outbox_states()) == {"synced"}


async def _raw_produce(bootstrap: str, db_path: Path) -> tuple[int, float, int]:
    """The outbox's encoded events produced to a fresh topic; (events, seconds, bytes)."""
    name = f"bench.catchup.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 12, 1)])
        producer = kafka.producer(bootstrap)
        await producer.start()
        conn = sqlite3.connect(db_path)
        n, size, began = 0, 0, time.perf_counter()
        try:
            rows = conn.execute(
                "SELECT store_id, body FROM outbox JOIN outbox_body USING (outbox_seq)"
                " ORDER BY outbox_seq"
            )
            while chunk := rows.fetchmany(CHUNK):
                sent = [await producer.send(name, bytes(b), key=s.encode()) for s, b in chunk]
                await asyncio.gather(*sent)
                n, size = n + len(chunk), size + sum(len(b) for _, b in chunk)
            seconds = time.perf_counter() - began
        finally:
            conn.close()
            await producer.stop()
        await admin.delete_topics([name])
    finally:
        await admin.close()
    return n, seconds, size


async def _backlog(gw: Gateway, n: int, stores: list[uuid.UUID]) -> float:
    """Record n receipts spread over the stores while offline; events/s of the recording."""
    began = time.perf_counter()
    share = n // len(stores)
    for i, store in enumerate(stores):
        await gw.record_direct(store, share + (n % len(stores) if i == 0 else 0), per_tx=2_000)
    return n / (time.perf_counter() - began)


async def run(
    events: int, stores: int = 4, batch: int = PUSH_BATCH_LIMIT, ingest: int = 1
) -> dict[str, Any]:
    """Record a backlog offline, restore the link, time central applying all of it (with
    `ingest` processes of inventory's edge ingest)."""
    endpoints = await asyncio.to_thread(stack.up)
    databases = Databases(endpoints.pg_url)
    with tempfile.TemporaryDirectory(prefix="akiba-catchup-") as tmp:
        central = Central(endpoints.kafka_bootstrap, Path(tmp), ingest_instances=ingest)
        gw: Gateway | None = None
        try:
            await central.start(databases)
            site = await central.new_site(stores=stores)
            gw = Gateway(central, site, Path(tmp), "site")
            setup = gw.start("api,pull")
            await gw.started(setup)
            await gw.ready_to_record()
            setup.stop()
            gw.hub_link.cut()
            record_rate = await _backlog(gw, events, site.store_ids)
            gw.hub_link.restore()

            began, began_at = time.perf_counter(), datetime.now(UTC)
            # Straight to central, not through the test's cuttable proxy: its copying in this
            # process took half a core from the gateway on a 2-core box.
            direct = {f"akiba_gateway_{s}_url": central.url(s) for s in ("hub", "auth")}
            proc = gw.start("forward,pull", akiba_gateway_push_batch_size=str(batch), **direct)
            assert proc.pid is not None
            peak_rss = await _until_count(central, site.store_ids, events, proc, gw)
            applied_s, applied_at = time.perf_counter() - began, datetime.now(UTC)
            while not _synced(gw):
                peak_rss = max(peak_rss, _memory(proc.pid)["VmRSS"])
                await asyncio.sleep(0.25)
            synced_s = time.perf_counter() - began
            hwm = _memory(proc.pid)["VmHWM"]
            assert await central.ledger(site.store_ids) == gw.ledger(), "ledgers differ"
            first_push, last_push = _pushes_answered(gw.db_path)
            forwarding_s = (last_push - first_push).total_seconds()
            raw_n, raw_s, raw_bytes = await _raw_produce(endpoints.kafka_bootstrap, gw.db_path)
        finally:
            if gw is not None:
                gw.stop()
            central.stop()
            await databases.drop_all()
    rate, raw_rate = events / applied_s, raw_n / raw_s
    return {
        "backlog events (1 line each)": events,
        "stores": stores,
        "push batch": batch,
        "central edge ingest processes": ingest,
        "backlog recorded offline, events/s (direct, batched tx)": round(record_rate),
        "catch-up until central applied all, s": round(applied_s, 1),
        "catch-up events/s (end to end)": round(rate),
        "catch-up until all synced at the site, s": round(synced_s, 1),
        "forwarding alone (first to last push answered), events/s": round(events / forwarding_s),
        "gateway started to first push answered, s": _seconds(began_at, first_push),
        "last push answered to all applied, s": _seconds(last_push, applied_at),
        "raw produce of the same events, events/s": round(raw_rate),
        "raw produce MB/s": round(raw_bytes / raw_s / 1e6, 1),
        "catch-up / raw produce": round(rate / raw_rate, 3),
        "gateway peak RSS MB (VmHWM)": round(hwm, 1),
        "gateway highest sampled VmRSS MB": round(peak_rss, 1),
        f"≥ {TARGET_EVENTS_PER_S} events/s": rate >= TARGET_EVENTS_PER_S,
        f"RSS < {TARGET_RSS_MB} MB": hwm < TARGET_RSS_MB,
        "ledgers equal (checked)": True,
    }
