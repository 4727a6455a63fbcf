"""The platform's phases: outbox write, relay alone, projector alone, and all of it at once."""

from __future__ import annotations

import asyncio
import cProfile
import os
import sys
from dataclasses import dataclass

import psutil

from akiba_inventory.consumers.projector import NAME
from akiba_inventory.settings import Settings
from akiba_platform.outbox import AsyncpgOutbox
from akiba_platform.runtime import tune_gc
from bench.env import MOVEMENTS, Env
from bench.events import Workload
from bench.http_load import cpu_seconds
from bench.measure import Measurement, Stopwatch, top_functions, wait_for
from bench.roles import BenchConsumer, Running, projector_on, relay, running


@dataclass
class Progress:
    """What the pipeline has done so far, read from the database in one query."""

    applied: int
    movements_left: bool
    outbox_left: bool


async def progress(env: Env, movements_topic: str) -> Progress:
    """Inbox rows of the projector, and whether movement (or any) rows still wait."""
    row = await env.pool.fetchrow(
        "select (select count(*) from inbox where consumer = $1) as applied,"
        " exists (select 1 from outbox where topic = $2) as movements_left,"
        " exists (select 1 from outbox) as outbox_left",
        NAME,
        movements_topic,
    )
    assert row is not None
    return Progress(int(row["applied"]), bool(row["movements_left"]), bool(row["outbox_left"]))


# Rows per outbox-write transaction: a busy HTTP write path's commits, not the relay's batch.
OUTBOX_TX = 500


def _timeout(n: int) -> float:
    """Generous: a phase that takes this long is broken, not slow."""
    return 60.0 + n / 250


async def write_outbox(env: Env, work: Workload, topic: str, tx_size: int) -> Measurement:
    """Commit the events in transactions of `tx_size` through AsyncpgOutbox.put (it encodes)."""
    messages = work.on(topic)
    watch = Stopwatch()
    async with env.pool.acquire() as conn:
        for i in range(0, len(messages), tx_size):
            async with conn.transaction():
                await AsyncpgOutbox(conn).put(messages[i : i + tx_size])
    wall, cpu = watch.elapsed()
    notes: dict[str, float | int | str] = {"tx_size": tx_size}
    return Measurement("outbox write", len(messages), wall, cpu, work.payload_bytes, notes=notes)


async def relay_only(env: Env, settings: Settings, work: Workload) -> Measurement:
    """The relay alone: the outbox write_outbox filled, to Kafka, until no movement row is left."""
    tune_gc()  # as a service process does; the workload held here stays out of collections
    watch = Stopwatch()
    async with running(relay(settings)) as r:
        n = len(work.values)
        await wait_for(
            lambda: _moved(env, env.relay_topic, r), what="the relay", timeout=_timeout(n)
        )
        wall, cpu = watch.elapsed()
    return Measurement("relay only", n, wall, cpu, work.payload_bytes)


async def consumer_only(
    env: Env, settings: Settings, work: Workload, *, profile: bool = False
) -> tuple[Measurement, str]:
    """The projector alone on the topic the relay filled, timed from the group's assignment;
    with `profile`, also cProfile's top functions over the timed part (which it slows)."""
    n = len(work.values)
    proj = projector_on(settings, env.relay_topic)
    profiler = cProfile.Profile() if profile else None
    tune_gc()
    async with running(proj) as r:
        await wait_for(lambda: _assigned(proj, r), what="partition assignment", timeout=60)
        watch = Stopwatch()
        if profiler is not None:
            profiler.enable()
        await wait_for(lambda: _applied(env, n, r), what="the projector", timeout=_timeout(n))
        wall, cpu = watch.elapsed()
        if profiler is not None:
            profiler.disable()
    notes: dict[str, float | int | str] = {"cpu_us_per_event": round(cpu / n * 1e6, 1)}
    if profiler is None:
        return Measurement("consumer only", n, wall, cpu, work.payload_bytes, notes=notes), ""
    notes["profiled"] = "yes (cProfile slows it)"
    m = Measurement("consumer only", n, wall, cpu, work.payload_bytes, notes=notes)
    return m, top_functions(profiler)


async def end_to_end(env: Env, settings: Settings, work: Workload) -> Measurement:
    """Relay and projector together: from the relay's start until every movement is applied."""
    n = len(work.values)
    await write_outbox(env, work, env.e2e_topic, OUTBOX_TX)
    proj = projector_on(settings, env.e2e_topic)
    tune_gc()
    async with running(proj) as c:
        await wait_for(lambda: _assigned(proj, c), what="partition assignment", timeout=60)
        watch = Stopwatch()
        async with running(relay(settings)) as r:
            marks = await _milestones(env, n, watch, [c, r], env.e2e_topic)
    wall, cpu = marks.pop("applied")
    notes: dict[str, float | int | str] = {k: round(v[0], 3) for k, v in marks.items()}
    notes["cpu_us_per_event"] = round(cpu / n * 1e6, 1)
    return Measurement("pipeline end to end", n, wall, cpu, work.payload_bytes, notes=notes)


async def end_to_end_split(env: Env, settings: Settings, work: Workload) -> Measurement:
    """As deployed: the relay in a process of its own (`bench.relay_worker`), the projector
    in this one; CPU is both processes'. The outbox is written in one transaction left open
    until the relay leads, so the clock starts when it commits and nothing is published
    before (the relay reads only rows below every running transaction)."""
    n = len(work.values)
    topic = env.split_topic
    proj = projector_on(settings, topic)
    tune_gc()
    async with env.pool.acquire() as conn, running(proj) as c:
        tx = conn.transaction()
        await tx.start()
        messages = work.on(topic)
        for i in range(0, n, OUTBOX_TX):
            await AsyncpgOutbox(conn).put(messages[i : i + OUTBOX_TX])
        await wait_for(lambda: _assigned(proj, c), what="partition assignment", timeout=60)
        worker = await _relay_process(settings)
        try:
            await wait_for(lambda: _leading(env, worker), what="the relay to lead", timeout=60)
            relay_cpu = psutil.Process(worker.pid)
            before = cpu_seconds(relay_cpu)
            await tx.commit()
            watch = Stopwatch()
            marks = await _milestones(env, n, watch, [c], topic)
            spent = cpu_seconds(relay_cpu) - before
        finally:
            worker.terminate()
            await worker.wait()
    wall, cpu = marks.pop("applied")
    notes: dict[str, float | int | str] = {k: round(v[0], 3) for k, v in marks.items()}
    notes["relay_process_cpu_s"] = round(spent, 3)
    notes["cpu_us_per_event"] = round((cpu + spent) / n * 1e6, 1)
    return Measurement(
        "end to end, own relay", n, wall, cpu + spent, work.payload_bytes, notes=notes
    )


async def _relay_process(settings: Settings) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "AKIBA_DATABASE_URL": settings.database_url,
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "AKIBA_OTEL_EXPORTER": "none",
    }
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.relay_worker", env=env)


async def _leading(env: Env, worker: asyncio.subprocess.Process) -> bool:
    if worker.returncode is not None:
        raise RuntimeError(f"the relay process exited with {worker.returncode}")
    held = await env.pool.fetchval(
        "select count(*) from pg_locks l join pg_database d on d.oid = l.database"
        " where l.locktype = 'advisory' and l.granted and d.datname = current_database()"
    )
    return bool(held)


async def _milestones(
    env: Env, n: int, watch: Stopwatch, roles: list[Running], topic: str
) -> dict[str, tuple[float, float]]:
    """(wall, CPU) when the movements were all published, all applied, the levels published."""
    marks: dict[str, tuple[float, float]] = {}

    async def done() -> bool:
        for role in roles:
            role.check()
        p = await progress(env, topic)
        now = watch.elapsed()
        if not p.movements_left:
            marks.setdefault("movements_published_s", now)
        if p.applied >= n:
            marks.setdefault("applied", now)
            if not p.outbox_left:
                marks.setdefault("levels_published_s", now)
        return "levels_published_s" in marks

    await wait_for(done, what="the pipeline", timeout=_timeout(n))
    return marks


async def _moved(env: Env, topic: str, role: Running) -> bool:
    role.check()
    return not (await progress(env, topic)).movements_left


async def _applied(env: Env, n: int, role: Running) -> bool:
    role.check()
    return (await progress(env, MOVEMENTS.name)).applied >= n


async def _assigned(proj: BenchConsumer, role: Running) -> bool:
    role.check()
    return proj.assigned(MOVEMENTS.partitions)
