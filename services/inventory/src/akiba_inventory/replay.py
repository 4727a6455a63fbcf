"""Replay: stock on hand rebuilt from the ledger, and the ledger rebuilt from its topic."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from akiba_contracts.envelope import InvalidEnvelope, decode
from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_inventory.adapters.ledger import MOVEMENT_FACTS
from akiba_platform import kafka

MOVEMENTS = "inventory.stock-movements"

# Quantities come from the ledger; reserved and hold flags are not ledger facts and survive.
_REBUILD_SOH = """
with led as (
  select store_id, item_id, batch_id, location_id, sum(quantity) q, max(store_sequence) seq
    from stock_movements where store_id = $1 group by 1, 2, 3, 4
), upserted as (
  insert into stock_on_hand as s (store_id, item_id, batch_id, location_id, quantity, last_sequence)
  select * from led
  on conflict (store_id, item_id, batch_id, location_id) do update
     set quantity = excluded.quantity, last_sequence = excluded.last_sequence,
         revision = s.revision + 1
  returning 1
)
delete from stock_on_hand s where s.store_id = $1 and not exists (
  select 1 from led l where l.item_id = s.item_id and l.batch_id is not distinct from s.batch_id
     and l.location_id is not distinct from s.location_id)
"""

# Running balances of a whole store, in stock-card order.
_REBALANCE = """
update stock_movements m set item_balance = x.ib, batch_balance = x.bb
  from (select movement_id,
               sum(quantity) over (partition by item_id order by occurred_at, store_sequence) ib,
               sum(quantity) over (partition by item_id, batch_id
                                   order by occurred_at, store_sequence) bb
          from stock_movements where store_id = $1) x
 where m.movement_id = x.movement_id
   and (m.item_balance, m.batch_balance) is distinct from (x.ib, x.bb)
"""


class Progress:
    """A one-line progress bar on a terminal (plain lines elsewhere)."""

    def __init__(self, total: int, what: str, out: TextIO = sys.stderr) -> None:
        self.total, self.what, self.out, self.done = max(total, 1), what, out, 0
        self._shown = 0.0

    def step(self, n: int = 1) -> None:
        """Count progress; redraw at most ten times a second."""
        self.done += n
        now = time.monotonic()
        if now - self._shown > 0.1 or self.done >= self.total:
            self._shown = now
            filled = int(30 * min(self.done / self.total, 1))
            end = "\n" if self.done >= self.total else "\r"
            line = f"{self.what} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}"
            self.out.write(line + end)
            self.out.flush()


async def rebuild_stock_on_hand(conn: asyncpg.Connection[Any], out: TextIO = sys.stderr) -> int:
    """Recompute every store's stock on hand and running balances from the ledger."""
    stores = [r["store_id"] for r in await conn.fetch("select store_id from stores order by code")]
    bar = Progress(len(stores), "stock on hand")
    for store in stores:
        async with conn.transaction():
            # The store lock keeps writers out while its projection is rebuilt.
            await conn.execute("select 1 from stores where store_id = $1 for update", store)
            await conn.execute(_REBUILD_SOH, store)
            await conn.execute(_REBALANCE, store)
        bar.step()
    return len(stores)


async def rebuild_ledger(
    conn: asyncpg.Connection[Any],
    bootstrap: str,
    topic: str = MOVEMENTS,
    out: TextIO = sys.stderr,
    since: datetime | None = None,
) -> int:
    """Insert every movement on the topic that this database's stores lack, then rebuild SOH.

    `since` starts from the first record published at or after that time instead of the
    topic's start: after a restore, movements the backup lacks were all published after it.
    """
    stores = {r["store_id"] for r in await conn.fetch("select store_id from stores")}
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **kafka.options(),
    )
    await consumer.start()
    try:
        added = await _copy_topic(conn, consumer, stores, out, since)
    finally:
        await consumer.stop()
    await rebuild_stock_on_hand(conn, out)
    return added


async def _copy_topic(
    conn: asyncpg.Connection[Any],
    consumer: AIOKafkaConsumer,
    stores: set[UUID],
    out: TextIO,
    since: datetime | None,
) -> int:
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=100)
    ends = await consumer.end_offsets(list(consumer.assignment()))
    starts = await _starts(consumer, ends, since)
    total = sum(ends[tp] - starts.get(tp, 0) for tp in ends)
    bar, added, skipped = Progress(total, "movements from the topic", out), 0, list[str]()
    while await _behind(consumer, ends):
        batch = await consumer.getmany(timeout_ms=500, max_records=5000)
        records = [r for part in batch.values() for r in part]
        added += await _insert(conn, _movements((r.value for r in records), skipped), stores)
        bar.step(len(records))
    if skipped:
        print(
            f"{len(skipped)} records skipped, not valid stock movements (the consumers"
            f" dead-lettered them); the first: {skipped[0]}",
            file=out,
        )
    return added


async def _starts(
    consumer: AIOKafkaConsumer, ends: dict[Any, int], since: datetime | None
) -> dict[Any, int]:
    """Seek each partition to its first record at or after `since` (its end if none)."""
    if since is None:
        return {}
    ms = int(since.timestamp() * 1000)
    found = await consumer.offsets_for_times({tp: ms for tp in ends})
    starts = {tp: ends[tp] if at is None else at.offset for tp, at in found.items()}
    for tp, offset in starts.items():
        consumer.seek(tp, offset)
    return starts


async def _behind(consumer: AIOKafkaConsumer, ends: dict[Any, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


def _movements(values: Iterable[bytes | None], skipped: list[str]) -> list[StockMovementRecorded]:
    """The topic's stock movements; a record that is not one is skipped with why.

    Such a record was dead-lettered by the consumers when they met it: it never made a ledger
    row, so a rebuild passes it by rather than stopping at it.
    """
    out = []
    for v in values:
        try:
            event = decode(v or b"")
            if event.type == StockMovementRecorded.event_type:
                out.append(StockMovementRecorded.model_validate(event.data))
        except (InvalidEnvelope, ValidationError) as exc:
            skipped.append(str(exc).splitlines()[0])
    return out


async def _insert(
    conn: asyncpg.Connection[Any], movements: list[StockMovementRecorded], stores: set[UUID]
) -> int:
    ours = [m for m in movements if m.store_id in stores]
    if not ours:
        return 0
    await _batches(conn, ours)
    rows = await conn.fetch(
        """insert into stock_movements (movement_id, store_id, store_sequence, item_id, batch_id,
               location_id, movement_type, quantity, occurred_at, recorded_at, actor, reference,
               source, reason_id, item_balance, batch_balance)
           select *, 0, 0 from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[],
               $5::uuid[], $6::uuid[], $7::text[], $8::int[], $9::timestamptz[],
               $10::timestamptz[], $11::text[], $12::text[], $13::text[], $14::uuid[])
           on conflict (movement_id) do nothing returning store_id, store_sequence""",
        *[[getattr(m, f) for m in ours] for f in MOVEMENT_FACTS],
    )
    await conn.execute(
        "update stores s set next_sequence = greatest(s.next_sequence, x.seq + 1)"
        " from (select store_id, max(store_sequence) seq from stock_movements"
        " where store_id = any($1::uuid[]) group by 1) x where s.store_id = x.store_id",
        list({r["store_id"] for r in rows}),
    )
    return len(rows)


async def _batches(conn: asyncpg.Connection[Any], ms: list[StockMovementRecorded]) -> None:
    """Batches travel inside the movements: restore the ones this database lacks."""
    known = {(m.batch_id, m.item_id, m.lot_code, m.expiry_date) for m in ms if m.batch_id}
    await conn.executemany(
        "insert into batches (batch_id, item_id, lot_code, expiry_date) values ($1, $2, $3, $4)"
        " on conflict do nothing",
        list(known),
    )
