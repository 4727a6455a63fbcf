"""`make soak`: central under the load of a country, then every event accounted for.

Central's real processes (auth, inventory api+relay and ingest, the sync hub api and feed; the
e2e harness starts them as the benches do) on fresh databases and the soak's own broker;
SOAK_SITES sites registered in bulk, each with its own secret, stores and token; then
SOAK_RATE documents/s recorded across all of them for SOAK_SECONDS and pushed through the
hub by `bench.soak_load`. Sampled every SOAK_SAMPLE_SECONDS: inventory's edge consumer lag on
`sites.inventory-events`, the ledger's rows, the sites' backlog, each process's RSS and CPU.
After the load it waits for the ledger to hold every acknowledged line, then checks each is
there exactly once, every store's sequence runs from 1 without a gap, stock on hand equals the
ledger, and nothing was refused, held or dead-lettered. The report goes to stdout and to
artifacts/soak-<time>.json.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import orjson
import psutil
from aiokafka import TopicPartition

from akiba_devtools import stack
from akiba_devtools.ops._kafka import reader
from akiba_devtools.ops.lag import lags
from akiba_devtools.testing import ServiceProcess
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.consumers import edge
from akiba_platform.runtime import tune_gc
from bench.soak_figures import bucket_quantile, buckets
from bench.soak_http import Http
from bench.soak_load import Load, Tally
from bench.soak_schedule import clocks, percentile
from bench.soak_world import SimSite, private_kafka, ready, register, sign_in
from tests.e2e.sync.harness import Central, free_port, started

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
WATCHED = ("hub:api", "inventory:ingest", "hub:feed", "inventory:api,relay", "auth:api,relay")


async def more_hubs(central: Central, n: int) -> list[int]:
    """n more processes of the hub's API role (it scales out freely), as the harness starts the
    first; their ports."""
    ports = []
    for k in range(2, n + 2):
        port = free_port()
        env = {
            "AKIBA_DATABASE_URL": central.dsn["hub"],
            "AKIBA_KAFKA_BOOTSTRAP_SERVERS": central.bootstrap,
            "AKIBA_HTTP_PORT": str(port),
        }
        log = central.workdir / f"hub-api-{k}.log"
        proc = ServiceProcess("akiba_sync_hub", ["serve", "--roles", "api"], env, log).start()
        central.processes[f"hub:api {k}"] = proc
        await started(proc)
        deadline = time.monotonic() + 60
        while not await _up(port):
            if time.monotonic() > deadline:
                raise TimeoutError(f"hub API {k} not ready after 60 s:\n{proc.output()[-2000:]}")
            await asyncio.sleep(0.2)
        ports.append(port)
    return ports


async def _up(port: int) -> bool:
    http = Http(port, limit=1)
    try:
        return (await http.get("/ready")).status == 200
    except OSError:
        return False
    finally:
        http.close()


@dataclass(frozen=True)
class Config:
    """The soak's parameters, from SOAK_* variables."""

    sites: int
    rate: float
    seconds: float
    stores_per_site: int
    lines: int
    items: int
    sample_seconds: float
    connections: int
    hub_apis: int
    drain_seconds: float
    seed: int

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        """SOAK_SITES=40000 SOAK_RATE=500 SOAK_SECONDS=600 and the rest as documented."""
        e = dict(os.environ if env is None else env)
        return cls(
            sites=int(e.get("SOAK_SITES", 40_000)),
            rate=float(e.get("SOAK_RATE", 500)),
            seconds=float(e.get("SOAK_SECONDS", 600)),
            stores_per_site=int(e.get("SOAK_STORES_PER_SITE", 1)),
            lines=int(e.get("SOAK_LINES", 1)),
            items=int(e.get("SOAK_ITEMS", 500)),
            sample_seconds=float(e.get("SOAK_SAMPLE_SECONDS", 5)),
            connections=int(e.get("SOAK_CONNECTIONS", 1024)),
            hub_apis=int(e.get("SOAK_HUB_APIS", 1)),
            drain_seconds=float(e.get("SOAK_DRAIN_SECONDS", 600)),
            seed=int(e.get("SOAK_SEED", 16)),
        )


class Watch:
    """Samples the processes, the lag and the ledger while the load runs."""

    def __init__(self, central: Central, bootstrap: str, load: Load, kafka_pid: int | None):
        self._central, self._bootstrap, self._load = central, bootstrap, load
        names = [*WATCHED, *(n for n in central.processes if n.startswith("hub:api "))]
        procs = {n: central.processes[n].pid for n in names if n in central.processes}
        procs["soak (load generator)"] = os.getpid()
        if kafka_pid is not None:
            procs["kafka broker"] = kafka_pid
        self.procs = {n: psutil.Process(pid) for n, pid in procs.items() if pid is not None}
        self.timeline: list[dict[str, Any]] = []
        self.peak_rss: dict[str, float] = defaultdict(float)
        self._cpu0 = self._cpu()
        self._t0 = time.monotonic()

    def _cpu(self) -> dict[str, float]:
        return {n: sum(p.cpu_times()[:2]) for n, p in self.procs.items()}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds each process used since the watch began."""
        now = self._cpu()
        return {n: round(now[n] - self._cpu0[n], 1) for n in now}

    async def sample(self, phase: str) -> dict[str, Any]:
        """One point of the timeline."""
        t = self._load.tally
        rss = {n: p.memory_info().rss / 2**20 for n, p in self.procs.items()}
        for n, v in rss.items():
            self.peak_rss[n] = max(self.peak_rss[n], v)
        point = {
            "t": round(time.monotonic() - self._t0, 1),
            "phase": phase,
            "recorded_docs": t.recorded_docs,
            "acked_docs": t.acked_docs,
            "site_backlog_docs": self._load.backlog,
            "pushes": t.pushes,
            "edge_consumer_lag": await edge_lag(self._bootstrap),
            "ledger_rows": await ledger_rows(self._central),
            "rss_mb": {n: round(v, 1) for n, v in rss.items()},
        }
        self.timeline.append(point)
        return point


async def edge_lag(bootstrap: str) -> int:
    """Messages on sites.inventory-events inventory's edge consumer has yet to commit."""
    found = await lags(bootstrap)
    return sum(x.lag for x in found if x.group.endswith(edge.NAME) and x.topic == edge.TOPIC)


async def ledger_rows(central: Central) -> int:
    """Rows in central's ledger."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    try:
        return int(await conn.fetchval("select count(*) from stock_movements"))
    finally:
        await conn.close()


async def topic_messages(bootstrap: str, names: list[str]) -> dict[str, int]:
    """How many messages each topic holds (end offsets summed; none of them is compacted)."""
    async with reader(bootstrap) as client:
        await client.topics()  # metadata of every topic, for partitions_for_topic
        parts = [TopicPartition(n, p) for n in names for p in client.partitions_for_topic(n) or ()]
        ends = await client.end_offsets(parts) if parts else {}
    return {n: sum(v for tp, v in ends.items() if tp.topic == n) for n in names}


async def account(central: Central, tally: Tally) -> dict[str, Any]:
    """Every acknowledged line in the ledger once, at its place; stores gap-free; SOH = ledger."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(central.dsn["inventory"])
    try:
        rows = await conn.fetch(
            "select movement_id, store_id, store_sequence, quantity, recorded_at"
            " from stock_movements"
        )
        soh = dict(
            await conn.fetch("select store_id, sum(quantity) from stock_on_hand group by store_id")
        )
        one = "select count(*) from "
        held = int(await conn.fetchval(one + "edge_pending"))
        rejected = int(await conn.fetchval(one + "edge_rejections"))
        dead = int(await conn.fetchval(one + "inbox where dead_letter"))
    finally:
        await conn.close()
    expected = {m.movement_id: (m.store_id, m.sequence, m.quantity) for m in tally.acked}
    ledger = {r[0]: (r[1], r[2], r[3]) for r in rows}
    missing = expected.keys() - ledger.keys()
    unexpected = ledger.keys() - expected.keys()
    misplaced = sum(1 for k, v in expected.items() if k in ledger and ledger[k] != v)
    sequences: dict[UUID, list[int]] = defaultdict(list)
    sums: dict[UUID, int] = defaultdict(int)
    for store, seq, qty in ledger.values():
        sequences[store].append(seq)
        sums[store] += qty
    gaps = sum(1 for seqs in sequences.values() if sorted(seqs) != list(range(1, len(seqs) + 1)))
    soh_off = sum(1 for s, total in sums.items() if int(soh.get(s, 0)) != total)
    soh_off += sum(1 for s, v in soh.items() if s not in sums and int(v) != 0)
    times = [(r[4].timestamp(), tally.acked_at[r[0]]) for r in rows if r[0] in tally.acked_at]
    return {
        "acknowledged lines": len(expected),
        "ledger rows": len(rows),
        "acknowledged lines missing from the ledger (checked: 0)": len(missing),
        "ledger rows nobody acknowledged (checked: 0)": len(unexpected),
        "lines at another store, sequence or quantity (checked: 0)": misplaced,
        "stores in the ledger": len(sequences),
        "stores whose sequence has a gap (checked: 0)": gaps,
        "stores whose stock on hand differs from the ledger (checked: 0)": soh_off,
        "documents held behind a gap (checked: 0)": held,
        "documents rejected by inventory (checked: 0)": rejected,
        "inbox dead letters (checked: 0)": dead,
        "recorded at the site -> in central's ledger ms": _ms([t - r for t, (r, _) in times]),
        "push acknowledged -> in the ledger ms": _ms([t - a for t, (_, a) in times]),
    }


async def hub_histogram(ports: list[int]) -> dict[str, float]:
    """The hub's own view of its 200 pushes: its request-duration histogram's bucket bounds."""
    found: dict[float, float] = {}
    for port in ports:
        http = Http(port, limit=1)
        try:
            answer = await http.get("/metrics")
        finally:
            http.close()
        one = buckets(
            answer.body.decode(),
            "akiba_http_server_duration_seconds",
            route="/sites/{site_id}/events",
            status="200",
        )
        for le, n in one.items():
            found[le] = found.get(le, 0.0) + n
    return {f"{k} <= ms": bucket_quantile(found, q) * 1e3 for k, q in _QS.items()}


_QS = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


def _ms(values: list[float]) -> dict[str, float]:
    out = {k: round(percentile(values, q) * 1e3, 1) for k, q in _QS.items()}
    out["max"] = round(max(values, default=0.0) * 1e3, 1)
    return out


async def drain(watch: Watch, central: Central, want: int, timeout: float) -> float:
    """Wait until the ledger holds `want` rows and the edge consumer has no lag; seconds."""
    began = time.monotonic()
    while True:
        point = await watch.sample("drain")
        if point["ledger_rows"] >= want and point["edge_consumer_lag"] == 0:
            return time.monotonic() - began
        if time.monotonic() - began > timeout:
            return float("nan")
        await asyncio.sleep(1.0)


async def soak(cfg: Config) -> dict[str, Any]:
    """Set up the country, run the load, drain, account; the report."""
    endpoints = await asyncio.to_thread(stack.up)
    databases = Databases(endpoints.pg_url)
    report: dict[str, Any] = {"config": cfg.__dict__}
    async with private_kafka() as (bootstrap, kafka_pid):
        with tempfile.TemporaryDirectory(prefix="akiba-soak-") as tmp:
            central = Central(bootstrap, Path(tmp))
            token_s = str(int(cfg.seconds + cfg.drain_seconds + 3600))
            try:
                began = time.monotonic()
                await central.start(databases, env_of={"auth:api,relay": {
                    "AKIBA_ACCESS_TOKEN_SECONDS": token_s}})  # fmt: skip
                sites, items = await register(central, cfg.sites, cfg.stores_per_site, cfg.items)
                registered = time.monotonic() - began
                # Sites sign in while inventory hands them their stores: both are set-up.
                handed, grants = await asyncio.gather(
                    ready(central, sites, timeout=max(300.0, cfg.sites / 20)),
                    sign_in(central.port["auth"], sites),
                )
                report["setup"] = {
                    "central started and sites registered, s": round(registered, 1),
                    "until inventory and the hub knew every site, s": round(handed, 1),
                    "site sign-ins (client_credentials) per s": round(grants),
                }
                print(f"soak: set up {report['setup']}", file=sys.stderr, flush=True)
                report |= await _run(cfg, central, bootstrap, kafka_pid, sites, items)
            except BaseException:
                print(central.logs(), file=sys.stderr)
                raise
            finally:
                central.stop()
                await databases.drop_all()
    return report


async def _run(
    cfg: Config,
    central: Central,
    bootstrap: str,
    kafka_pid: int | None,
    sites: list[SimSite],
    items: list[UUID],
) -> dict[str, Any]:
    plan = clocks(cfg.sites, cfg.rate, cfg.seed)
    ports = [central.port["hub"], *await more_hubs(central, cfg.hub_apis - 1)]
    load = Load(ports, sites, plan, items, cfg.lines, cfg.seed, cfg.connections)
    watch = Watch(central, bootstrap, load, kafka_pid)
    running = asyncio.create_task(load.run(cfg.seconds))
    began = time.monotonic()
    try:
        while not running.done():
            point = await watch.sample("load")
            print(f"soak: {orjson.dumps(point).decode()}", file=sys.stderr, flush=True)
            await asyncio.wait({running}, timeout=cfg.sample_seconds)
        await running
    finally:
        running.cancel()  # on an error or Ctrl-C, before central stops
    loaded = time.monotonic() - began
    cpu = watch.cpu_seconds()
    t = load.tally
    drained = await drain(watch, central, len(t.acked), cfg.drain_seconds)
    checks = await account(central, t)
    hub_view = await hub_histogram(ports)
    topics = await topic_messages(bootstrap, [f"{edge.TOPIC}.dlq", "sites.refusals"])
    lags_seen = [p["edge_consumer_lag"] for p in watch.timeline if p["phase"] == "load"]
    return {
        "load": {
            "sites": cfg.sites,
            "sites that recorded": load.sites_recorded,
            "target documents/s": cfg.rate,
            "recorded documents": t.recorded_docs,
            "recorded documents/s (achieved)": round(t.recorded_docs / cfg.seconds, 1),
            "acknowledged documents/s over the load": round(t.acked_docs / loaded, 1),
            "lines per document": cfg.lines,
            "load seconds (until the last push answered)": round(loaded, 1),
            "recording loop's worst lateness ms": round(t.late_seconds * 1e3, 1),
            "pushes": t.pushes,
            "answers": dict(t.answers),
            "first detail of each problem answer": t.details,
            "events refused at the door (checked: 0)": len(t.refused),
            "documents given up after a 4xx (checked: 0)": t.given_up,
            "hub push latency ms (request written -> answer read)": _ms(t.push_seconds),
            "hub's own histogram of those pushes (bucket bounds)": hub_view,
            "waiting for one of the generator's connections ms": _ms(t.slot_seconds),
            "connections opened": load.connections,
            "document recorded -> acknowledged ms": _ms(t.ack_seconds),
        },
        "central": {
            "edge consumer lag during the load, max messages": max(lags_seen, default=0),
            "edge consumer lag at the end of the load, messages": lags_seen[-1] if lags_seen else 0,
            "drain after the load, s": round(drained, 1),
            "peak RSS MB": {n: round(v, 1) for n, v in watch.peak_rss.items()},
            "end RSS MB": watch.timeline[-1]["rss_mb"],
            "CPU seconds during the load": cpu,
            "dead-letter topic messages (checked: 0)": topics[f"{edge.TOPIC}.dlq"],
            "sites.refusals messages (checked: 0)": topics["sites.refusals"],
        },
        "accounting": checks,
        "timeline": watch.timeline,
    }


def passed(report: dict[str, Any]) -> list[str]:
    """The failed checks: every '(checked: 0)' figure that is not 0."""
    failed = []
    for section in ("load", "central", "accounting"):
        for k, v in report.get(section, {}).items():
            if "(checked: 0)" in k and v != 0:
                failed.append(f"{k} = {v}")
    return failed


def main() -> None:
    """Run, print, save; exit 1 if any event is unaccounted for."""
    tune_gc()
    cfg = Config.from_env()
    report = asyncio.run(soak(cfg))
    failed = passed(report)
    report["failed checks"] = failed
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"soak-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    shown = {k: v for k, v in report.items() if k != "timeline"}
    print(orjson.dumps(shown, option=orjson.OPT_INDENT_2).decode())
    print(f"soak: report written to {path}")
    if failed:
        print("soak: FAILED " + "; ".join(failed), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
