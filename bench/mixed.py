"""Central under mixed load: HTTP receipts, edge ingest and reads of stock on hand, together.

On one inventory database: the real `akiba-inventory serve --roles api,relay` process (as in
**http**; its relay publishes both kinds of writes' outbox rows to the run's own topic), one
`bench.ingest_worker` process (the EdgeIngestor under the consumer loop, as in the scaled
ingest) and the bench's clients. Each load runs alone for `solo_seconds`, then all three
together for `seconds`; each reports its rate and latency next to its solo figure.

The ingest drains a backlog of site documents produced before its window (not timed), flat out:
that is its capacity under contention, what a site fleet catching up meets. An offered rate
would only show whether central keeps up with that rate. The solo backlog is sized to outlast
the window; the mixed one to the solo rate times MARGIN times `seconds`, since contention only
slows the ingest. Its worker stops at the end of its window, so the ledger holds a prefix of
each store's documents, which the checks compare line by line. A latency per document would
only measure the backlog's queue; its tail here is the longest the ledger went without new
lines (the loop commits a poll of up to `consumer_batch_size` documents at once).
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import psutil

from akiba_contracts.catalogue import Topic, dlq_topic
from akiba_devtools.testing.databases import scratch_database
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.settings import Settings
from akiba_platform.db import create_pool
from akiba_platform.migrations import migrate
from bench import http, ingest_scaled, ledger_checks, site_workload
from bench.env import Env, _topics_ready
from bench.http_load import WARM_UP_SECONDS, Call, Client, Load, cpu_seconds, http_load
from bench.site_workload import SITES_TOPIC, SiteWorkload

READERS = 4  # a few people looking at stock while the writes go on
SOLO_BACKLOG_RATE = 20_000  # lines/s: above one instance's best here, so the backlog outlasts
MARGIN = 1.3  # the mixed backlog over the solo rate times the seconds
SAMPLE_SECONDS = 0.1  # how often the ingest's progress is read from the ledger
T = TypeVar("T")


@dataclass(frozen=True)
class Ingested:
    """Lines the ingest put in the ledger over its window, and how steadily."""

    lines: int
    wall: float
    cpu: float
    longest_pause: float  # seconds the ledger went without new lines, at most
    ran_out: bool  # the backlog was all in before the window ended
    machine_busy: float  # % of all the machine's cores busy over the window

    @property
    def rate(self) -> float:
        """Lines per second."""
        return self.lines / self.wall if self.wall else 0.0


async def run(
    env: Env, settings: Settings, *, clients: int, seconds: float, solo_seconds: float
) -> dict[str, Any]:
    """Each load alone, then together; the figures side by side and the ledger's checks."""
    tag = env.raw_topic.split(".")[1]
    async with AsyncExitStack() as cleanup:
        dsn = await scratch_database(env.dsn.rsplit("/", 1)[0], f"akiba_bench_{tag}_mixed", cleanup)
        target = f"bench.{tag}.mixed"
        sites = {kind: f"bench.{tag}.mixed-sites-{kind}" for kind in ("solo", "mixed")}
        topics = [*http.outbox_topics(target), *(t for n in sites.values() for t in _sites(n))]
        await _topics_ready(env.bootstrap, topics, cleanup)
        await migrate(dsn, {"inventory": MIGRATIONS})
        pool = await create_pool(dsn, max_size=4)
        cleanup.push_async_callback(pool.close)
        await pool.execute(http.route_all(target))
        stores, items = await http.reference_data(pool)
        token = await http.grant(env.bootstrap, stores, "STOCK_ADJUST", "STOCK_CARDS_VIEW")
        workdir = Path(tempfile.mkdtemp(prefix="akiba-bench-mixed-"))
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        url, inventory = await http.start_inventory(env.bootstrap, dsn, workdir, cleanup)
        headers = {"authorization": f"Bearer {token}"}
        post, read = http.poster(stores, http.receipt_body(items)), reader(stores)
        ingest = _Ingest(cleanup, env.bootstrap, dsn, settings, pool)

        busy = _Busy()
        solo_writes = await http_load(url, headers, post, clients, solo_seconds, inventory)
        busy_writes, busy = busy.percent(), _Busy()
        solo_reads = await http_load(url, headers, read, READERS, solo_seconds, inventory)
        busy_reads = busy.percent()
        solo_work = site_workload.build(int(solo_seconds * SOLO_BACKLOG_RATE), seed=11)
        solo_ingest, _ = await ingest.window(solo_work, sites["solo"], "S", solo_seconds, _nothing)
        solo_sites = await _site_prefix(pool, solo_work)
        del solo_work  # its rows are checked: the bigger backlog needs the memory

        backlog = max(10_000, int(solo_ingest.rate * seconds * MARGIN))
        mixed_work = site_workload.build(backlog, seed=13)

        async def writes_and_reads() -> tuple[Load, Load]:
            return await asyncio.gather(
                http_load(url, headers, post, clients, seconds, inventory),
                http_load(url, headers, read, READERS, seconds, inventory),
            )

        both, (writes, reads) = await ingest.window(
            mixed_work, sites["mixed"], "M", seconds, writes_and_reads
        )
        acknowledged = sum(x.warm_up + len(x.latencies) for x in (solo_writes, writes))
        mixed_sites = await _site_prefix(pool, mixed_work)
        checks = await _checks(pool, url, headers, stores, acknowledged, [solo_sites, mixed_sites])
    figures = {
        **_side_by_side(f"HTTP receipts ({clients} clients)", solo_writes, writes),
        **_side_by_side(f"SOH reads ({READERS} clients)", solo_reads, reads),
        "edge ingest lines/s: solo": solo_ingest.rate,
        "edge ingest lines/s: mixed": both.rate,
        "edge ingest lines/s: mixed / solo": _ratio(both.rate, solo_ingest.rate),
        "edge ingest longest pause s: solo": solo_ingest.longest_pause,
        "edge ingest longest pause s: mixed": both.longest_pause,
        "edge ingest backlog ran out (1 = yes): solo": float(solo_ingest.ran_out),
        "edge ingest backlog ran out (1 = yes): mixed": float(both.ran_out),
        "inventory process CPU %: solo receipts": _share(solo_writes.server_cpu, solo_writes),
        "inventory process CPU %: solo reads": _share(solo_reads.server_cpu, solo_reads),
        "inventory process CPU %: mixed": _share(writes.server_cpu, writes),
        "ingest process CPU %: solo": _ratio(solo_ingest.cpu, solo_ingest.wall) * 100,
        "ingest process CPU %: mixed": _ratio(both.cpu, both.wall) * 100,
        "machine CPU busy % (all cores): solo receipts": busy_writes,
        "machine CPU busy % (all cores): solo reads": busy_reads,
        "machine CPU busy % (all cores): solo ingest": solo_ingest.machine_busy,
        "machine CPU busy % (all cores): mixed": both.machine_busy,
        "window seconds: solo": solo_seconds,
        "window seconds: mixed": seconds,
    }
    return {"central under mixed load (rate and p99, solo and mixed)": figures, **checks}


def reader(stores: list[UUID]) -> Callable[[Client], Call]:
    """Calls reading the first page of a random store's stock on hand, each expecting a 200."""

    def make(client: Client) -> Call:
        async def read(rng: random.Random) -> None:
            status, text = await client.get(f"/stores/{rng.choice(stores)}/stock-on-hand")
            if status != 200:
                raise AssertionError(f"{status}: {text[:500]!r}")

        return read

    return make


def _sites(name: str) -> list[Topic]:
    return [replace(SITES_TOPIC, name=name), replace(dlq_topic(SITES_TOPIC), name=f"{name}.dlq")]


async def _nothing() -> None:
    return None


class _Ingest:
    """Windows of one ingest instance over a backlog, on the phase's database."""

    def __init__(
        self,
        cleanup: AsyncExitStack,
        bootstrap: str,
        dsn: str,
        settings: Settings,
        pool: asyncpg.Pool[Any],
    ) -> None:
        self._cleanup = cleanup
        self._bootstrap = bootstrap
        self._dsn = dsn
        self._settings = settings
        self._pool = pool

    async def window(
        self,
        work: SiteWorkload,
        topic: str,
        codes: str,
        seconds: float,
        alongside: Callable[[], Awaitable[T]],
    ) -> tuple[Ingested, T]:
        """Produce the backlog (its stores' and items' codes starting with `codes`), start an
        instance; once it is assigned `alongside` starts too, and after a warm-up second the
        ingest's window runs `seconds` or until the backlog is all in."""
        await site_workload.reference_data(self._pool, work, codes)
        await site_workload.produce(self._bootstrap, topic, work)
        instance = await ingest_scaled.start_instances(
            self._cleanup, self._bootstrap, self._dsn, self._settings, topic,
            f"inventory.edge-ingestion.{topic}", 1,
        )  # fmt: skip
        others = asyncio.ensure_future(alongside())
        try:
            process = psutil.Process(instance.processes[0].pid)
            await asyncio.sleep(WARM_UP_SECONDS)
            cpu0, busy = cpu_seconds(process), _Busy()
            samples = [(time.perf_counter(), await self._lines(work.stores))]
            while samples[-1][1] < work.lines and samples[-1][0] - samples[0][0] < seconds:
                await asyncio.sleep(SAMPLE_SECONDS)
                instance.check_alive()
                samples.append((time.perf_counter(), await self._lines(work.stores)))
            cpu, machine = cpu_seconds(process) - cpu0, busy.percent()
            await instance.stop()
        except BaseException:
            others.cancel()
            raise
        (t0, n0), (t1, n1) = samples[0], samples[-1]
        found = Ingested(n1 - n0, t1 - t0, cpu, _longest_pause(samples), n1 >= work.lines, machine)
        return found, await others

    async def _lines(self, stores: list[UUID]) -> int:
        return int(
            await self._pool.fetchval(
                "select coalesce(sum(next_sequence - 1), 0) from stores"
                " where store_id = any($1::uuid[])",
                stores,
            )
        )


def _longest_pause(samples: list[tuple[float, int]]) -> float:
    """The longest time between the ledger's first sight of one count of lines and the next."""
    changes = [tb for (_, na), (tb, nb) in pairwise(samples) if nb != na]
    edges = [samples[0][0], *changes, samples[-1][0]]
    return max(b - a for a, b in pairwise(edges))


class _Busy:
    """The machine's CPU use since made, as a share of all its cores."""

    def __init__(self) -> None:
        self._start = psutil.cpu_times()

    def percent(self) -> float:
        """Busy (not idle, not waiting for I/O) over all the cores' time, in %."""
        now = psutil.cpu_times()
        total = sum(now) - sum(self._start)
        idle = now.idle + now.iowait - self._start.idle - self._start.iowait
        return (1 - idle / total) * 100 if total else 0.0


def _side_by_side(name: str, solo: Load, mixed: Load) -> dict[str, float]:
    return {
        f"{name}/s: solo": solo.rate,
        f"{name}/s: mixed": mixed.rate,
        f"{name}/s: mixed / solo": _ratio(mixed.rate, solo.rate),
        f"{name} p50 ms: solo": solo.ms(0.50),
        f"{name} p50 ms: mixed": mixed.ms(0.50),
        f"{name} p99 ms: solo": solo.ms(0.99),
        f"{name} p99 ms: mixed": mixed.ms(0.99),
        f"{name} p99: mixed / solo": _ratio(mixed.ms(0.99), solo.ms(0.99)),
    }


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def _share(cpu: float, load: Load) -> float:
    return cpu / load.wall * 100 if load.wall else 0.0


async def _checks(
    pool: asyncpg.Pool[Any],
    url: str,
    headers: dict[str, str],
    stores: list[UUID],
    acknowledged: int,
    sites: list[dict[str, int]],
) -> dict[str, Any]:
    """Receipts all in, each store's site documents in as a whole prefix, the ledger consistent,
    and stock on hand over HTTP as in the table; fails the bench on the first that does not."""
    central = int(
        await pool.fetchval(
            "select count(*) from stock_movements where store_id = any($1::uuid[])", stores
        )
    )
    ingested = sum(s["lines"] for s in sites)
    ledger = await ledger_checks.run(pool)
    found: dict[str, Any] = {
        "mixed_receipts_acknowledged": acknowledged,
        "mixed_receipts_in_ledger": central,
        "mixed_site_lines_ingested": ingested,
        "mixed_site_lines_missing_or_wrong": sum(s["wrong"] for s in sites),
        "mixed_site_stores_cut_inside_a_document": sum(s["cut"] for s in sites),
        "mixed_stores_whose_SOH_read_differs": await _reads_agree(pool, url, headers, stores),
        **{f"mixed_{k}": v for k, v in ledger.items()},
    }
    bad = [k for k in found if "missing" in k or "cut" in k or "differs" in k if found[k]]
    bad += ledger_checks.failures(ledger)
    if central != acknowledged:
        bad.append("mixed_receipts_in_ledger")
    if ledger["ledger_rows"] != acknowledged + ingested:
        bad.append("mixed_ledger_rows (≠ receipts acknowledged + site lines ingested)")
    if bad:
        raise AssertionError(f"the ledger after the mixed load: {bad} in {found}")
    return found


async def _site_prefix(pool: asyncpg.Pool[Any], work: SiteWorkload) -> dict[str, int]:
    """The workload's stores: their ledger rows against the documents' first lines up to each
    store's next sequence (stores, sequences and running balances), whole documents only."""
    done = {
        r[0]: int(r[1])
        for r in await pool.fetch(
            "select store_id, next_sequence - 1 from stores where store_id = any($1::uuid[])",
            work.stores,
        )
    }
    rows = await pool.fetch(
        "select movement_id, store_id, store_sequence, item_balance, batch_balance"
        " from stock_movements where store_id = any($1::uuid[])",
        work.stores,
    )
    expected = {r[0]: (r[1], r[2], r[14], r[15]) for r in work.rows if r[2] <= done[r[1]]}
    got = {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}
    wrong = len(expected.keys() ^ got.keys())
    wrong += sum(1 for k, v in expected.items() if k in got and got[k] != v)
    cut = sum(1 for n in done.values() if n % work.lines_per_doc)
    return {"lines": sum(done.values()), "wrong": wrong, "cut": cut}


async def _reads_agree(
    pool: asyncpg.Pool[Any], url: str, headers: dict[str, str], stores: list[UUID]
) -> int:
    """Stores whose stock on hand over HTTP (every line, summed) differs from the table."""
    want = {
        r[0]: (int(r[1]), int(r[2]))
        for r in await pool.fetch(
            "select store_id, count(*), sum(quantity) from stock_on_hand"
            " where store_id = any($1::uuid[]) and quantity <> 0 group by store_id",
            stores,
        )
    }
    client = await Client.open(url, headers)
    differ = 0
    page: dict[str, Any] = {"total": 0}
    try:
        for store in stores:
            items: list[dict[str, Any]] = []
            while not items or len(items) < page["total"]:
                path = f"/stores/{store}/stock-on-hand?size=500&page={len(items) // 500}"
                status, text = await client.get(path)
                if status != 200:
                    raise AssertionError(f"{status}: {text[:500]!r}")
                page = json.loads(text)
                if not page["items"]:
                    break
                items += page["items"]
            lines = (len(items), sum(int(x["quantity"]) for x in items))
            differ += lines != want.get(store, (0, 0))
    finally:
        await client.close()
    return differ
