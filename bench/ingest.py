"""Edge ingestion from Kafka end to end, next to the raw pipeline (aiokafka consume + COPY).

Site documents (`SiteStockRecorded`, 10 lines each, per-store sequences without gaps) are
produced to a bench topic before the clock starts. The real `EdgeIngestor` then runs under the
platform's `ConsumerLoop` inside this process, with a `SiteDirectory` filled directly (the
ingest role fills it from auth.sites), on a fresh database of site-managed stores. Timed from
the group's assignment until every line is in `stock_movements` (with stock on hand, running
balances and the outbox rows committed in the same transactions).

Raw baselines on the same topic and rows: aiokafka `getmany` of the same messages, dropped; one
`copy_records_to_table` of the equivalent ledger rows (running balances computed beforehand);
and the two together, a COPY of each consumed batch's rows. Besides, the floor of any consumer
that keeps the messaging rules (`_floor_poll`): the two together, with each document
decoded against the contract, its id claimed in the inbox and each line's movement event
written to the outbox in the batch's transaction, and nothing else (no store, plan, right,
balance or stock on hand).
"""

from __future__ import annotations

import cProfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from akiba_contracts.catalogue import dlq_topic
from akiba_contracts.envelope import decode
from akiba_contracts.payloads.edge import edge_batch_id
from akiba_inventory.adapters.ledger import LEDGER_COLUMNS
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.consumers import edge
from akiba_inventory.consumers.edge.rules import identify, read_document
from akiba_inventory.outbound import movement_recorded
from akiba_inventory.settings import Settings
from akiba_platform import OutboxMessage, kafka
from akiba_platform.consumer import Delivery, Record, Rejected
from akiba_platform.db import Connection, create_pool
from akiba_platform.inbox import AsyncpgInbox
from akiba_platform.migrations import migrate
from akiba_platform.outbox import AsyncpgOutbox
from akiba_platform.runtime import tune_gc
from akiba_stock.model import Batch
from bench import ingest_scaled, site_workload
from bench.env import Env, _database, _topics_ready
from bench.measure import Measurement, Stopwatch, top_functions, wait_for
from bench.raw import WARM_UP, _drain
from bench.roles import BenchConsumer, Running, running
from bench.site_workload import SITES_TOPIC, STORES, SiteWorkload, build


class _Ingestor(BenchConsumer):
    """Inventory's ingest role on a bench topic, counting its handler calls."""

    def __init__(self, settings: Settings, topic_name: str) -> None:
        super().__init__(settings, topic_name, edge.NAME, self._count, envelope=edge.SiteEvent)
        self._ingestor = edge.EdgeIngestor()
        self.calls = 0  # handler calls (one transaction each) and the deliveries they carried
        self.deliveries = 0

    async def _count(self, conn: Connection, deliveries: Sequence[Delivery]) -> Sequence[Rejected]:
        self.calls += 1
        self.deliveries += len(deliveries)
        return await self._ingestor(conn, deliveries)


@dataclass
class IngestResult:
    """The phases' figures, the checks and (when asked) the profile of the ingest phase."""

    measured: list[Measurement]
    figures: dict[str, float]
    checks: dict[str, Any]
    profile: str = ""


async def run(
    env: Env,
    settings: Settings,
    lines: int,
    min_seconds: float,
    *,
    per_doc: int = 10,
    profile: bool = False,
) -> IngestResult:
    """Build, produce, ingest, check; then the raw baselines on the same topic and rows."""
    watch = Stopwatch()
    work = build(lines, per_doc)
    wall, cpu = watch.elapsed()
    built = Measurement("build site documents", work.lines, wall, cpu, work.payload_bytes)
    prefix = env.raw_topic.rsplit(".", 1)[0]  # bench.<run>
    name = f"{prefix}.sites"
    async with AsyncExitStack() as cleanup:
        server = env.dsn.rsplit("/", 1)[0]
        dsn = await _database(server, f"akiba_bench_{prefix.split('.')[1]}_edge", cleanup)
        twin = replace(SITES_TOPIC, name=name)
        await _topics_ready(
            env.bootstrap, [twin, replace(dlq_topic(SITES_TOPIC), name=f"{name}.dlq")], cleanup
        )
        await migrate(dsn, {"inventory": MIGRATIONS})
        pool = await create_pool(dsn, max_size=4)
        cleanup.push_async_callback(pool.close)
        await site_workload.reference_data(pool, work)
        produced = await site_workload.produce(env.bootstrap, name, work)
        settings = settings.model_copy(update={"database_url": dsn})
        ingested, prof = await _ingest(pool, settings, name, work, profile)
        checks = await site_workload.checks(pool, work)
        consumed = await _raw_consume(env.bootstrap, name, work, settings, min_seconds)
        copied = await _raw_copy(pool, work, min_seconds)
        topic = _Topic(env.bootstrap, name, settings.consumer_batch_size)
        both = await _passes(pool, topic, work, min_seconds, "raw consume + COPY", _copy_rows)
        floor_name = "floor: + decode, inbox, outbox"
        floor = await _passes(pool, topic, work, min_seconds, floor_name, _floor_poll)
    tag = prefix.split(".")[1]
    scaled = []
    for n in (1, 2):
        m, found = await ingest_scaled.run(env.bootstrap, server, settings, work, n, tag)
        scaled.append(m)
        checks.update({f"x{n} {k}": v for k, v in found.items() if k.startswith("edge_ledger")})
    measured = [built, produced, ingested, consumed, copied, both, floor, *scaled]
    figures = {
        "documents": len(work.values),
        "lines per document": per_doc,
        "stores (site-managed)": STORES,
        "ingest lines/s (in the bench process)": ingested.rate,
        "ingest CPU share of one core (%)": ingested.cpu_share * 100,
        "ingest lines/s, 1 instance (own process)": scaled[0].rate,
        "ingest lines/s, 2 instances (processes, one group)": scaled[1].rate,
        "2 instances CPU (% of one core)": scaled[1].cpu_share * 100,
        "raw consume + COPY lines/s": both.rate,
        "ingest / raw consume + COPY (%)": ingested.rate / both.rate * 100,
        "2 instances / raw consume + COPY (%)": scaled[1].rate / both.rate * 100,
        "floor (decode, inbox, COPY, outbox) lines/s": floor.rate,
        "floor / raw consume + COPY (%)": floor.rate / both.rate * 100,
        "ingest / floor (%)": ingested.rate / floor.rate * 100,
        "ingest / raw consume (%)": ingested.rate / consumed.rate * 100,
        "ingest / raw COPY (%)": ingested.rate / copied.rate * 100,
        "target lines/s, 1 instance (issue 17)": 15_000,
        "target lines/s, all instances (issue 17)": 25_000,
        "target instances / raw consume + COPY (%, issue 17)": 60,
    }
    return IngestResult(measured, figures, checks, prof)


def _timeout(lines: int) -> float:
    return 120.0 + lines / 500


async def _ingest(
    pool: asyncpg.Pool[Any], settings: Settings, name: str, work: SiteWorkload, profile: bool
) -> tuple[Measurement, str]:
    role = _Ingestor(settings, name)
    tune_gc()  # as a service process does; the workload held here stays out of collections
    joining = Stopwatch()
    profiler = cProfile.Profile() if profile else None
    async with running(role) as r:
        await wait_for(
            lambda: _checked(r, lambda: role.assigned(SITES_TOPIC.partitions)),
            what="partition assignment",
            timeout=60,
        )
        joined = joining.elapsed()[0]
        watch = Stopwatch()
        if profiler is not None:
            profiler.enable()
        await wait_for(
            lambda: _ingested(pool, work.lines, r), what="the ingest", timeout=_timeout(work.lines)
        )
        wall, cpu = watch.elapsed()
        if profiler is not None:
            profiler.disable()
    notes: dict[str, float | int | str] = {
        "group_join_s": round(joined, 3),
        "documents": len(work.values),
        "batch_size": settings.consumer_batch_size,
        "handler_calls": role.calls,
        "docs_per_call": round(role.deliveries / max(role.calls, 1), 1),
    }
    if profiler is not None:
        notes["profiled"] = "yes (cProfile slows it)"
    m = Measurement("edge ingest (lines)", work.lines, wall, cpu, work.payload_bytes, notes=notes)
    return m, top_functions(profiler) if profiler is not None else ""


async def _checked(role: Running, check: Callable[[], bool]) -> bool:
    role.check()
    return check()


async def _ingested(pool: asyncpg.Pool[Any], lines: int, role: Running) -> bool:
    """Lines applied so far: each store's next sequence moves with its ledger rows."""
    role.check()
    done = await pool.fetchval("select coalesce(sum(next_sequence - 1), 0) from stores")
    return int(done) >= lines


def _assign_all(consumer: AIOKafkaConsumer, name: str) -> list[TopicPartition]:
    parts = [TopicPartition(name, p) for p in range(SITES_TOPIC.partitions)]
    consumer.assign(parts)
    return parts


async def _raw_consume(
    bootstrap: str, name: str, work: SiteWorkload, settings: Settings, min_seconds: float
) -> Measurement:
    """The same messages with getmany and dropped, from the start each pass (no group)."""
    consumer = kafka.consumer(bootstrap, "unused", group_id=None)
    await consumer.start()
    try:
        parts = _assign_all(consumer, name)
        docs = len(work.values)
        await _drain(consumer, min(WARM_UP, docs), settings.consumer_batch_size)
        watch, passes, size = Stopwatch(), 0, 0
        while passes == 0 or watch.elapsed()[0] < min_seconds:
            await consumer.seek_to_beginning(*parts)
            size += await _drain(consumer, docs, settings.consumer_batch_size)
            passes += 1
        wall, cpu = watch.elapsed()
    finally:
        await consumer.stop()
    return Measurement("raw consume (lines)", work.lines * passes, wall, cpu, size, passes)


async def _raw_copy(pool: asyncpg.Pool[Any], work: SiteWorkload, min_seconds: float) -> Measurement:
    """The equivalent ledger rows, one COPY per pass into an emptied stock_movements."""
    async with pool.acquire() as conn:
        wall = cpu = 0.0
        passes = 0
        while passes == 0 or wall < min_seconds:
            await conn.execute("truncate stock_movements cascade")
            watch = Stopwatch()
            await _copy(conn, work.rows)
            w, c = watch.elapsed()
            wall, cpu, passes = wall + w, cpu + c, passes + 1
        await conn.execute("truncate stock_movements cascade")
    return Measurement(
        "raw COPY ledger rows", work.lines * passes, wall, cpu, work.payload_bytes * passes, passes
    )


async def _copy(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    await conn.copy_records_to_table("stock_movements", records=rows, columns=LEDGER_COLUMNS)


async def _copy_rows(conn: Connection, batch: list[Record], rows: list[tuple[Any, ...]]) -> None:
    """Raw consume + COPY: per poll, one COPY of as many ledger rows as its lines."""
    await _copy(conn, rows)


async def _floor_poll(conn: Connection, batch: list[Record], rows: list[tuple[Any, ...]]) -> None:
    """The floor: the COPY plus what the messaging rules ask of every consumer, in the poll's
    transaction: each document decoded against the contract (the ingest's one-pass decode),
    its id claimed in the inbox, a movement event per line into the outbox. The least a Python
    consumer that validates and publishes each line does."""
    events = [decode(r.value or b"", edge.SiteEvent) for r in batch]
    async with conn.transaction():
        await AsyncpgInbox(conn).claim("bench.floor", [UUID(e.id) for e in events])
        await _copy(conn, rows)
        now = datetime.now(UTC)
        await AsyncpgOutbox(conn).put([m for e in events for m in _published(e, now)])


@dataclass(frozen=True)
class _Topic:
    """Where the documents are and how many records a poll takes."""

    bootstrap: str
    name: str
    batch_size: int


async def _passes(
    pool: asyncpg.Pool[Any],
    topic: _Topic,
    work: SiteWorkload,
    min_seconds: float,
    label: str,
    apply: Callable[[Connection, list[Record], list[tuple[Any, ...]]], Awaitable[None]],
) -> Measurement:
    """Passes over the topic from its start (the tables emptied between them, untimed) until
    `min_seconds`, as the other raw baselines repeat (one pass of 3-4 s moved by a third);
    getmany as the loop does, each poll's records and ledger rows to `apply`."""
    consumer = kafka.consumer(topic.bootstrap, "unused", group_id=None)
    await consumer.start()
    try:
        parts = _assign_all(consumer, topic.name)
        await consumer.end_offsets(consumer.assignment())  # connected before the clock starts
        async with pool.acquire() as conn:
            wall = cpu = 0.0
            passes = size = 0
            while passes == 0 or wall < min_seconds:
                await conn.execute("truncate stock_movements, inbox, outbox cascade")
                await consumer.seek_to_beginning(*parts)
                watch, docs = Stopwatch(), 0
                async for batch in _batches(consumer, len(work.values), topic.batch_size):
                    n = len(batch)
                    rows = work.rows[docs * work.lines_per_doc : (docs + n) * work.lines_per_doc]
                    await apply(conn, batch, rows)
                    docs += n
                    size += sum(len(r.value or b"") + len(r.key or b"") for r in batch)
                w, c = watch.elapsed()
                wall, cpu, passes = wall + w, cpu + c, passes + 1
            await conn.execute("truncate stock_movements, inbox, outbox cascade")
    finally:
        await consumer.stop()
    return Measurement(label, work.lines * passes, wall, cpu, size, passes)


def _published(event: edge.SiteEvent, now: datetime) -> list[OutboxMessage]:
    """A movement event per line, as a posting publishes it: the document read the way the
    ingest reads it, its movements on the lots' batches, each through `movement_recorded`."""
    doc = read_document(identify(event), event)
    lots = {(ln.item_id, ln.lot_code): ln.expiry_date for ln in doc.lines}
    batches = {
        (i, lot): Batch(edge_batch_id(i, lot), i, lot, exp) for (i, lot), exp in lots.items()
    }
    return [movement_recorded(m) for m in doc.movements(batches, now)]


async def _batches(
    consumer: AIOKafkaConsumer, count: int, batch_size: int
) -> AsyncIterator[list[Record]]:
    """Each getmany's records, all partitions together, until `count` have been read."""
    seen = idle = 0
    while seen < count:
        got = await consumer.getmany(timeout_ms=200, max_records=batch_size)
        idle = 0 if got else idle + 1
        if idle > 150:
            raise TimeoutError(f"raw pipeline read {seen} of {count} records, then nothing")
        records = [r for rs in got.values() for r in rs]
        if records:
            seen += len(records)
            yield records
