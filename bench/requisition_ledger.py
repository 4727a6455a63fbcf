"""Inventory's movements into requisition's ledger by day, next to raw COPY and edge ingest.

A month of `StockMovementRecorded` events of 50 stores (each stocking 400 of 1,000 items) in
time order, built by inventory's own `movement_recorded`: issues, receipts, transfers and
adjustments. Three phases on requisition's database:

- `ledger.project` alone, called on one connection in a transaction per batch of the consumer
  batch size, as the consumer loop calls it (decoding the events is left out of the clock);
- the real consumer loop (`BenchConsumer`: the platform's loop, inbox and positions) on a fresh
  twin of inventory.stock-movements the events were produced to, timed from the group's
  assignment until every record's position is committed with its effects;
- raw: one COPY of the same movements' rows into a plain table, repeated `--min-seconds`.

Checked after each projecting phase: movement_days holds exactly the sums computed from the
input, per store, item and day.
"""

from __future__ import annotations

import random
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from akiba_contracts.catalogue import dlq_topic
from akiba_contracts.envelope import decode, serialised
from akiba_inventory.outbound import movement_recorded
from akiba_inventory.settings import Settings
from akiba_platform import Delivery, kafka
from akiba_platform.runtime import tune_gc
from akiba_requisition.consumers import ledger
from akiba_stock.model import Batch, MovementType, StockMovement
from bench.env import MOVEMENTS, Env, _topics_ready
from bench.measure import Measurement, Stopwatch, wait_for
from bench.raw import _send
from bench.roles import BenchConsumer, running

STORES, ITEMS, STOCKED, DAYS = 50, 1_000, 400, 30
# (type, sign, weight): mostly issues, receipts, some transfers, shipments and adjustments.
KINDS = (
    (MovementType.ISSUE, -1, 60),
    (MovementType.RECEIPT, 1, 18),
    (MovementType.TRANSFER_OUT, -1, 5),
    (MovementType.TRANSFER_IN, 1, 5),
    (MovementType.SHIPMENT_IN, 1, 3),
    (MovementType.ADJUSTMENT_NEGATIVE, -1, 5),
    (MovementType.ADJUSTMENT_POSITIVE, 1, 2),
    (MovementType.STOCKTAKE_BALANCE, -1, 2),
)
RECEIVED = {MovementType.RECEIPT, MovementType.TRANSFER_IN, MovementType.SHIPMENT_IN}
CONSUMED = {MovementType.ISSUE, MovementType.TRANSFER_OUT, MovementType.SHIPMENT_OUT}
RAW_COLUMNS = ("store_id", "item_id", "day", "movement_type", "quantity")
Key = tuple[UUID, UUID, date]


@dataclass
class Movements:
    """Encoded events with their keys, the same movements as rows, and the expected sums."""

    values: list[bytes] = field(default_factory=list)
    keys: list[bytes] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    expected: dict[Key, list[int]] = field(default_factory=dict)
    stores: list[UUID] = field(default_factory=list)

    @property
    def payload_bytes(self) -> int:
        """Bytes of values and keys."""
        return sum(map(len, self.values)) + sum(map(len, self.keys))


@dataclass
class LedgerResult:
    """The phases, their rates and ratios, and the checks."""

    measured: list[Measurement]
    figures: dict[str, float]
    checks: dict[str, Any]


def build(n: int, seed: int = 11) -> Movements:
    """n movements over the last DAYS days up to now, oldest first, stores interleaved."""
    rng = random.Random(seed)
    work = Movements(stores=[UUID(int=rng.getrandbits(128)) for _ in range(STORES)])
    items = [UUID(int=rng.getrandbits(128)) for _ in range(ITEMS)]
    lots = {i: Batch(uuid4(), i, "LOT-1", date(2028, 6, 30)) for i in items}
    stocked = {s: rng.sample(items, STOCKED) for s in work.stores}
    sequence = dict.fromkeys(work.stores, 0)
    kinds, weights = [(k, s) for k, s, _ in KINDS], [w for *_, w in KINDS]
    first = datetime.now(UTC) - timedelta(days=DAYS)
    for k in range(n):
        store = rng.choice(work.stores)
        sequence[store] += 1
        kind, sign = rng.choices(kinds, weights)[0]
        at = first + timedelta(seconds=k * DAYS * 86_400 // n + rng.randint(0, 59))
        m = StockMovement(
            movement_id=uuid4(), store_id=store, store_sequence=sequence[store],
            item_id=(item := rng.choice(stocked[store])), batch=lots[item], location_id=None,
            movement_type=kind, quantity=sign * rng.randint(1, 500), occurred_at=at,
            recorded_at=at, actor="bench-user", reference=f"R-{k:08d}",
        )  # fmt: skip
        message = movement_recorded(m)
        # An exact-size copy: orjson's result keeps its 8 KB buffer (1.7 GB for 200,000).
        work.values.append(bytes(memoryview(serialised(message.event))))
        work.keys.append(message.key.encode())
        work.rows.append((store, item, at.date(), kind.value, m.quantity))
        _add(work.expected, m)
    return work


def _add(expected: dict[Key, list[int]], m: StockMovement) -> None:
    sums = expected.setdefault((m.store_id, m.item_id, m.occurred_at.date()), [0, 0, 0, 0])
    if m.movement_type in RECEIVED:
        sums[0] += m.quantity
    elif m.movement_type in CONSUMED:
        sums[1] -= m.quantity
    else:
        sums[2] += m.quantity
    sums[3] += m.quantity


async def run(
    env: Env,
    settings: Settings,
    dsn: str,
    pool: asyncpg.Pool[Any],
    n: int,
    min_seconds: float,
    ingest_rate: float | None,
) -> LedgerResult:
    """Handler alone, consumer loop from Kafka, raw COPY; ratios to COPY and to edge ingest."""
    work = build(n)
    tune_gc()  # as a service process does; the workload held here stays out of collections
    batch = settings.consumer_batch_size
    handler = await _handler(pool, work, batch)
    checks: dict[str, Any] = {
        "requisition_projected_sums_match (handler)": await _sums_match(pool, work)
    }
    await pool.execute("delete from movement_days where store_id = any($1::uuid[])", work.stores)
    looped = await _consumer_loop(env, settings.model_copy(update={"database_url": dsn}), work)
    checks["requisition_projected_sums_match (consumer loop)"] = await _sums_match(pool, work)
    checks["requisition_projection_dead_letters"] = int(
        await pool.fetchval("select count(*) from inbox where dead_letter")
    )
    copied = await _raw_copy(pool, work, min_seconds)
    figures = {
        "movements": n,
        "distinct store-item-days": len(work.expected),
        "batch size (consumer_batch_size)": batch,
        "ledger.project alone lines/s": handler.rate,
        "consumer loop from Kafka lines/s": looped.rate,
        "raw COPY of the movement rows lines/s": copied.rate,
        "project alone / raw COPY": handler.rate / copied.rate,
        "consumer loop / raw COPY": looped.rate / copied.rate,
    }
    if ingest_rate:
        figures["edge ingest lines/s (this run, in process)"] = ingest_rate
        figures["consumer loop / edge ingest"] = looped.rate / ingest_rate
    return LedgerResult([handler, looped, copied], figures, checks)


async def _handler(pool: asyncpg.Pool[Any], work: Movements, batch: int) -> Measurement:
    """`ledger.project` per batch in its own transaction; decoding is outside the clock."""
    wall = cpu = 0.0
    async with pool.acquire() as conn:
        for i in range(0, len(work.values), batch):
            deliveries = [_delivery(v) for v in work.values[i : i + batch]]
            watch = Stopwatch()
            async with conn.transaction():
                await ledger.project(conn, deliveries)
            w, c = watch.elapsed()
            wall, cpu = wall + w, cpu + c
    notes: dict[str, float | int | str] = {"batch": batch}
    n = len(work.values)
    return Measurement("ledger.project alone", n, wall, cpu, work.payload_bytes, notes=notes)


def _delivery(value: bytes) -> Delivery:
    event = decode(value)
    return Delivery(event, None, UUID(event.id))


async def _consumer_loop(env: Env, settings: Settings, work: Movements) -> Measurement:
    """Produce to a fresh topic, then time the real loop from assignment to the last position."""
    name = f"{env.raw_topic.rsplit('.', 1)[0]}.req-movements"
    n = len(work.values)
    async with AsyncExitStack() as cleanup:
        twin = replace(MOVEMENTS, name=name)
        dead = replace(dlq_topic(MOVEMENTS), name=f"{name}.dlq")
        await _topics_ready(env.bootstrap, [twin, dead], cleanup)
        producer = kafka.producer(env.bootstrap)
        await producer.start()
        try:
            await _send(producer, name, work.values, work.keys)
        finally:
            await producer.stop()
        consumer = BenchConsumer(settings, name, ledger.NAME, ledger.project)
        pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
        assert pool is not None
        cleanup.push_async_callback(pool.close)
        async with running(consumer) as r:

            async def assigned() -> bool:
                r.check()
                return consumer.assigned(MOVEMENTS.partitions)

            async def caught_up() -> bool:
                r.check()
                done = await pool.fetchval(
                    "select coalesce(sum(next_offset), 0) from consumer_positions"
                    " where consumer = $1 and topic = $2",
                    ledger.NAME,
                    name,
                )
                return int(done) >= n

            await wait_for(assigned, what="partition assignment", timeout=60)
            watch = Stopwatch()
            await wait_for(caught_up, what="the ledger-days consumer", timeout=60 + n / 200)
            wall, cpu = watch.elapsed()
    notes: dict[str, float | int | str] = {"batch": settings.consumer_batch_size}
    return Measurement("ledger-days consumer", n, wall, cpu, work.payload_bytes, notes=notes)


async def _raw_copy(pool: asyncpg.Pool[Any], work: Movements, min_seconds: float) -> Measurement:
    """The movements as rows, one COPY per pass into a plain table."""
    wall = cpu = 0.0
    passes = 0
    async with pool.acquire() as conn:
        await conn.execute(
            "create table bench_raw_movements (store_id uuid, item_id uuid, day date,"
            " movement_type text, quantity bigint)"
        )
        await conn.copy_records_to_table(
            "bench_raw_movements", records=work.rows[:1_000], columns=RAW_COLUMNS
        )
        while passes == 0 or wall < min_seconds:
            await conn.execute("truncate bench_raw_movements")
            watch = Stopwatch()
            await conn.copy_records_to_table(
                "bench_raw_movements", records=work.rows, columns=RAW_COLUMNS
            )
            w, c = watch.elapsed()
            wall, cpu, passes = wall + w, cpu + c, passes + 1
        await conn.execute("drop table bench_raw_movements")
    n = len(work.rows)
    return Measurement("raw COPY movement rows", n * passes, wall, cpu, 0, passes)


async def _sums_match(pool: asyncpg.Pool[Any], work: Movements) -> bool:
    """movement_days of the bench's stores equals the sums computed from the movements."""
    rows = await pool.fetch(
        "select store_id, item_id, day, received, consumed, adjusted, net from movement_days"
        " where store_id = any($1::uuid[])",
        work.stores,
    )
    return {(r[0], r[1], r[2]): list(r[3:]) for r in rows} == work.expected
