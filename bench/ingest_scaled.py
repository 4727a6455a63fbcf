"""Edge ingest scaled out: N instances of the ingest consumer, each its own process, one group.

Each instance is `bench.ingest_worker` (inventory's EdgeIngestor under the platform's consumer
loop). The group forms on an empty topic first; the clock starts when the documents are
produced (a few hundredths of a second for the whole workload) and stops when every line is
in the ledger. CPU is the instances' own (psutil), as a share of one core.
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from typing import Any

import psutil

from akiba_contracts.catalogue import dlq_topic
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.settings import Settings
from akiba_platform.db import create_pool
from akiba_platform.migrations import migrate
from bench import site_workload
from bench.env import _database, _topics_ready
from bench.http_load import cpu_seconds
from bench.measure import Measurement, Stopwatch, wait_for
from bench.site_workload import SITES_TOPIC


async def run(
    bootstrap: str, server: str, settings: Settings, work: Any, instances: int, tag: str
) -> tuple[Measurement, dict[str, Any]]:
    """Ingest the workload with `instances` processes; the measurement and the ledger checks."""
    async with AsyncExitStack() as cleanup:
        dsn = await _database(server, f"akiba_bench_{tag}_edge_x{instances}", cleanup)
        await migrate(dsn, {"inventory": MIGRATIONS})
        pool = await create_pool(dsn, max_size=2)
        cleanup.push_async_callback(pool.close)
        await site_workload.reference_data(pool, work)
        topic = f"bench.{tag}.sites.x{instances}"
        await _topics_ready(
            bootstrap,
            [
                replace(SITES_TOPIC, name=topic),
                replace(dlq_topic(SITES_TOPIC), name=f"{topic}.dlq"),
            ],
            cleanup,
        )
        group = f"inventory.edge-ingestion.bench.{tag}.x{instances}"
        workers = await start_instances(cleanup, bootstrap, dsn, settings, topic, group, instances)
        procs = [psutil.Process(w.pid) for w in workers.processes]
        cpu_before = sum(cpu_seconds(p) for p in procs)
        watch = Stopwatch()
        await site_workload.produce(bootstrap, topic, work)
        await wait_for(
            lambda: _applied(pool, work.lines, workers.processes), what="the ingest", timeout=600
        )
        wall, _ = watch.elapsed()
        cpu = sum(cpu_seconds(p) for p in procs) - cpu_before
        checks = await site_workload.checks(pool, work)
    m = Measurement(
        f"edge ingest x{instances} (lines)", work.lines, wall, cpu, work.payload_bytes,
        notes={"instances": instances, "processes": "one per instance, one consumer group"},
    )  # fmt: skip
    return m, checks


@dataclass(frozen=True)
class Instances:
    """Running instances and the partitions each says it was assigned."""

    processes: list[asyncio.subprocess.Process]
    shares: list[int]

    def check_alive(self) -> None:
        """Raise if an instance has exited."""
        for w in self.processes:
            if w.returncode is not None:
                raise RuntimeError(f"an ingest instance exited with {w.returncode}")

    async def formed(self) -> bool:
        """Whether every partition of the topic is assigned, each instance holding some."""
        self.check_alive()
        return sum(self.shares) == SITES_TOPIC.partitions and all(self.shares)

    async def stop(self) -> None:
        """Stop them (SIGTERM: each finishes its batch and leaves the group)."""
        await _stop(self.processes)


async def start_instances(
    cleanup: AsyncExitStack,
    bootstrap: str,
    dsn: str,
    settings: Settings,
    topic: str,
    group: str,
    instances: int,
) -> Instances:
    """`instances` processes of `bench.ingest_worker` in one group, once the group has formed."""
    env = {
        **os.environ,
        "AKIBA_DATABASE_URL": dsn,
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "AKIBA_CONSUMER_BATCH_SIZE": str(settings.consumer_batch_size),
        "AKIBA_OTEL_EXPORTER": "none",
    }
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.ingest_worker", topic, group,
            env=env, stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(instances)
    ]  # fmt: skip
    cleanup.push_async_callback(_stop, workers)
    found = Instances(workers, [0] * instances)
    readers = [asyncio.create_task(_follow(w, i, found.shares)) for i, w in enumerate(workers)]
    cleanup.callback(lambda: [r.cancel() for r in readers])
    await wait_for(found.formed, what="the group to form", timeout=90)
    return found


async def _follow(worker: asyncio.subprocess.Process, i: int, shares: list[int]) -> None:
    assert worker.stdout is not None
    async for line in worker.stdout:
        text = line.decode().strip()
        if text.startswith("assigned "):
            shares[i] = int(text.split()[1])


async def _applied(pool: Any, lines: int, workers: list[Any]) -> bool:
    for w in workers:
        if w.returncode is not None:
            raise RuntimeError(f"an ingest instance exited with {w.returncode}")
    done = await pool.fetchval("select coalesce(sum(next_sequence - 1), 0) from stores")
    return int(done) >= lines


async def _stop(workers: list[asyncio.subprocess.Process]) -> None:
    for w in workers:
        if w.returncode is None:
            w.terminate()
    for w in workers:
        try:
            await asyncio.wait_for(w.wait(), 30)
        except TimeoutError:
            w.kill()
