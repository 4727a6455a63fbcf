"""Posting to the ledger: movement rows, stock on hand and running balances in one transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from akiba_platform import Connection
from akiba_stock.appending import CardEnd, ItemKey, append
from akiba_stock.ledger import InsufficientStock, StockLine, StockOnHand, require_available
from akiba_stock.model import StockMovement, line_of, removals

# A ledger row's facts, in table order; the two running balances follow them.
MOVEMENT_FACTS = (
    "movement_id",
    "store_id",
    "store_sequence",
    "item_id",
    "batch_id",
    "location_id",
    "movement_type",
    "quantity",
    "occurred_at",
    "recorded_at",
    "actor",
    "reference",
    "source",
    "reason_id",
)
LEDGER_COLUMNS = (*MOVEMENT_FACTS, "item_balance", "batch_balance")

# From this many rows a COPY beats one INSERT of unnested arrays (ingest batches, stocktakes).
_COPY_THRESHOLD = 64

_INSERT = """
insert into stock_movements (movement_id, store_id, store_sequence, item_id, batch_id,
    location_id, movement_type, quantity, occurred_at, recorded_at, actor, reference, source,
    reason_id, item_balance, batch_balance)
select * from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::uuid[],
    $6::uuid[], $7::text[], $8::int[], $9::timestamptz[], $10::timestamptz[], $11::text[],
    $12::text[], $13::text[], $14::uuid[], $15::bigint[], $16::bigint[])
"""

# Where each touched card ends (its last entry) and, from stock on hand, the balance of each
# batch there: stock on hand is the ledger's sum, so it is the balance after the last entry.
_CARD_ENDS = """
with cards as (
  select distinct * from unnest($1::uuid[], $2::uuid[]) as k(store_id, item_id)
)
select c.store_id, c.item_id, l.occurred_at, l.store_sequence, s.batch_id, s.total
  from cards c
  left join lateral (
    select occurred_at, store_sequence from stock_movements m
     where m.store_id = c.store_id and m.item_id = c.item_id
     order by occurred_at desc, store_sequence desc limit 1) l on true
  left join lateral (
    select batch_id, sum(quantity) as total from stock_on_hand h
     where h.store_id = c.store_id and h.item_id = c.item_id
     group by batch_id) s on true
"""


def _soh(n: int) -> str:
    """Add each line's change to stock on hand; its six arrays are parameters $n to $n+5."""
    return f"""
insert into stock_on_hand as s (store_id, item_id, batch_id, location_id, quantity, last_sequence)
select * from unnest(${n}::uuid[], ${n + 1}::uuid[], ${n + 2}::uuid[], ${n + 3}::uuid[],
                     ${n + 4}::bigint[], ${n + 5}::bigint[])
on conflict (store_id, item_id, batch_id, location_id) do update
   set quantity = s.quantity + excluded.quantity,
       last_sequence = greatest(s.last_sequence, excluded.last_sequence),
       revision = s.revision + 1,
       updated_at = clock_timestamp()
returning store_id, item_id, batch_id, location_id, quantity, reserved, on_hold, last_sequence,
          revision, updated_at
"""


def _advance(n: int) -> str:
    """Move each store's counter past its last sequence used: stores $n, last sequences $n+1."""
    return f"""
update stores s set next_sequence = t.last + 1
  from unnest(${n}::uuid[], ${n + 1}::bigint[]) as t(store_id, last)
 where s.store_id = t.store_id
"""


_SOH = _soh(1)
_ADVANCE = _advance(1)
# The ledger rows, the stock on hand they change and the stores' counters in one statement: a
# receipt's three writes in one round trip (each round trip is a send and a wake-up of a
# backend on the same cores).
_POSTING = f"with appended as ({_INSERT}), advanced as ({_advance(23)}) {_soh(17)}"

# Balances of every row of each touched item from its first new row on, in stock-card order,
# all items of a posting in one statement; each continues from the last balance before that
# point (of the item, and of the row's batch).
_BALANCES = """
with starts as (
  select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::bigint[])
           as t(store_id, item_id, at, seq)
), fresh as (
  select r.movement_id, r.store_id, r.item_id, r.batch_id, t.at, t.seq,
         sum(r.quantity) over (partition by r.store_id, r.item_id
                               order by r.occurred_at, r.store_sequence) as item_run,
         sum(r.quantity) over (partition by r.store_id, r.item_id, r.batch_id
                               order by r.occurred_at, r.store_sequence) as batch_run
    from starts t
    join stock_movements r
      on r.store_id = t.store_id and r.item_id = t.item_id
     and (r.occurred_at, r.store_sequence) >= (t.at, t.seq)
), item_before as (
  select t.store_id, t.item_id,
         (select p.item_balance from stock_movements p
           where p.store_id = t.store_id and p.item_id = t.item_id
             and (p.occurred_at, p.store_sequence) < (t.at, t.seq)
           order by p.occurred_at desc, p.store_sequence desc limit 1) as bal
    from starts t
), batch_before as (
  select k.store_id, k.item_id, k.batch_id,
         (select p.batch_balance from stock_movements p
           where p.store_id = k.store_id and p.item_id = k.item_id
             and p.batch_id is not distinct from k.batch_id
             and (p.occurred_at, p.store_sequence) < (k.at, k.seq)
           order by p.occurred_at desc, p.store_sequence desc limit 1) as bal
    from (select distinct store_id, item_id, batch_id, at, seq from fresh) k
)
update stock_movements m
   set item_balance = coalesce(ib.bal, 0) + f.item_run,
       batch_balance = coalesce(bb.bal, 0) + f.batch_run
  from fresh f
  join item_before ib on ib.store_id = f.store_id and ib.item_id = f.item_id
  join batch_before bb on bb.store_id = f.store_id and bb.item_id = f.item_id
                      and bb.batch_id is not distinct from f.batch_id
 where m.movement_id = f.movement_id
returning m.batch_id, m.batch_balance
"""


@dataclass(frozen=True)
class Level:
    """A stock line's quantity after a posting."""

    line: StockLine
    quantity: int
    reserved: int
    on_hold: bool
    last_sequence: int
    as_of: datetime
    revision: int = 0


class Ledger(Protocol):
    """Posts movements to the ledger and holds stock lines; the caller holds the store lock."""

    async def post(self, movements: list[StockMovement], *, central: bool) -> list[Level]:
        """Append, update stock on hand and running balances, move each store's counter past
        the sequence numbers used; refuse central overdraws."""
        ...

    async def hold(self, line: StockLine, on_hold: bool) -> Level | None:
        """Put a stock line on hold or release it; None when the line has never held stock."""
        ...

    async def last_movements(self, levels: list[Level]) -> dict[StockLine, UUID]:
        """The last movement of each line (what its level record names)."""
        ...


class AsyncpgLedger:
    """Writes a store's movements; the caller holds the store's lock."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def post(self, movements: list[StockMovement], *, central: bool) -> list[Level]:
        """Append, update stock on hand and running balances, move the stores' counters on;
        refuse central overdraws."""
        appended = append(movements, await self._card_ends(movements))
        balances = [appended.balances.get(m.movement_id, (0, 0)) for m in movements]
        columns = [*_columns(movements), [b[0] for b in balances], [b[1] for b in balances]]
        lines = _line_changes(movements)
        last = last_sequences(movements)
        stores = [list(last), list(last.values())]
        if len(movements) >= _COPY_THRESHOLD:
            await self._conn.copy_records_to_table(
                "stock_movements", records=zip(*columns, strict=True), columns=LEDGER_COLUMNS
            )
            rows = await self._conn.fetch(_SOH, *lines)
            await self._conn.execute(_ADVANCE, *stores)
        else:  # a few rows: appended, summed and the stores moved on in one round trip
            rows = await self._conn.fetch(_POSTING, *columns, *lines, *stores)
        levels = _levels(rows, movements, central)
        rows = await self._recompute(
            [m for m in movements if (m.store_id, m.item_id) in appended.backdated]
        )
        if central:
            rows += [
                {"batch_id": m.batch.batch_id, "batch_balance": appended.balances[m.movement_id][1]}
                for m in movements
                if m.movement_id in appended.balances
            ]
            _check_batches(rows, movements)
        return levels

    async def _card_ends(self, movements: list[StockMovement]) -> dict[ItemKey, CardEnd]:
        keys = list({(m.store_id, m.item_id) for m in movements})
        rows = await self._conn.fetch(_CARD_ENDS, [k[0] for k in keys], [k[1] for k in keys])
        last: dict[ItemKey, tuple[datetime, int] | None] = {}
        batches: dict[ItemKey, dict[UUID | None, int]] = defaultdict(dict)
        for r in rows:
            key = (r["store_id"], r["item_id"])
            last[key] = (
                None if r["occurred_at"] is None else (r["occurred_at"], r["store_sequence"])
            )
            if r["total"] is not None:
                batches[key][r["batch_id"]] = int(r["total"])
        return {k: CardEnd(at, batches[k]) for k, at in last.items()}

    async def _recompute(self, backdated: list[StockMovement]) -> list[Any]:
        """Rewrite the balances of the back-dated cards from their first new entry on."""
        if not backdated:
            return []
        first = _first_per_item(backdated)
        return list(
            await self._conn.fetch(
                _BALANCES,
                [k[0] for k in first],
                [k[1] for k in first],
                [v[0] for v in first.values()],
                [v[1] for v in first.values()],
            )
        )

    async def hold(self, line: StockLine, on_hold: bool) -> Level | None:
        """Put a stock line on hold or release it; None when the line has never held stock."""
        row = await self._conn.fetchrow(
            "update stock_on_hand set on_hold = $5, revision = revision + 1,"
            " updated_at = clock_timestamp()"
            " where store_id = $1 and item_id = $2 and batch_id is not distinct from $3"
            " and location_id is not distinct from $4 returning store_id, item_id, batch_id,"
            " location_id, quantity, reserved, on_hold, last_sequence, revision, updated_at",
            line.store_id,
            line.item_id,
            line.batch_id,
            line.location_id,
            on_hold,
        )
        return None if row is None else level_of(row)

    async def last_movements(self, levels: list[Level]) -> dict[StockLine, UUID]:
        """The last movement of each line (what its level record names)."""
        if not levels:
            return {}
        rows = await self._conn.fetch(
            "select m.store_id, m.store_sequence, m.movement_id from stock_movements m"
            " join unnest($1::uuid[], $2::bigint[]) as k(store_id, seq)"
            " on m.store_id = k.store_id and m.store_sequence = k.seq",
            [lv.line.store_id for lv in levels],
            [lv.last_sequence for lv in levels],
        )
        ids = {(r["store_id"], r["store_sequence"]): r["movement_id"] for r in rows}
        return {lv.line: ids[(lv.line.store_id, lv.last_sequence)] for lv in levels}


def _before(lv: Level, taken: int) -> StockOnHand:
    """The line as it stood before this posting took `taken` units from it."""
    return StockOnHand(lv.line, lv.quantity + taken, lv.reserved, lv.on_hold)


def _check_batches(rows: list[Any], movements: list[StockMovement]) -> None:
    """A back-dated removal must not have taken the batch below zero at any later point."""
    below = [r for r in rows if r["batch_balance"] < 0]
    if below:
        m = next(m for m in movements if m.batch.batch_id == below[0]["batch_id"])
        raise InsufficientStock(line_of(m), 0, -m.quantity)


def _first_per_item(movements: list[StockMovement]) -> dict[tuple[UUID, UUID], tuple[Any, int]]:
    first: dict[tuple[UUID, UUID], tuple[Any, int]] = {}
    for m in movements:
        key, at = (m.store_id, m.item_id), (m.occurred_at, m.store_sequence)
        first[key] = min(first.get(key, at), at)
    return first


def last_sequences(movements: list[StockMovement]) -> dict[UUID, int]:
    """Each store's last sequence number among these movements."""
    last: dict[UUID, int] = {}
    for m in movements:
        last[m.store_id] = max(last.get(m.store_id, 0), m.store_sequence)
    return last


def _line_changes(movements: list[StockMovement]) -> list[list[Any]]:
    """_SOH's arguments: each stock line's net change and last sequence in these movements."""
    delta: dict[StockLine, list[int]] = defaultdict(lambda: [0, 0])
    for m in movements:
        d = delta[line_of(m)]
        d[0] += m.quantity
        d[1] = max(d[1], m.store_sequence)
    lines = list(delta)
    return [
        [x.store_id for x in lines],
        [x.item_id for x in lines],
        [x.batch_id for x in lines],
        [x.location_id for x in lines],
        [delta[x][0] for x in lines],
        [delta[x][1] for x in lines],
    ]


def _levels(rows: list[Any], movements: list[StockMovement], central: bool) -> list[Level]:
    """The lines' new levels; a central removal may take only what is available."""
    levels = [level_of(r) for r in rows]
    if central:  # not reserved, not on hold
        taken = removals(movements)
        require_available(
            taken, {lv.line: _before(lv, taken[lv.line]) for lv in levels if lv.line in taken}
        )
    return levels


def level_of(r: Any) -> Level:
    """A level from a row of stock_on_hand."""
    return Level(
        StockLine(r["store_id"], r["item_id"], r["batch_id"], r["location_id"]),
        int(r["quantity"]),
        int(r["reserved"]),
        bool(r["on_hold"]),
        int(r["last_sequence"]),
        r["updated_at"],
        int(r["revision"]),
    )


def _columns(ms: list[StockMovement]) -> list[list[Any]]:
    return [
        [m.movement_id for m in ms],
        [m.store_id for m in ms],
        [m.store_sequence for m in ms],
        [m.item_id for m in ms],
        [m.batch.batch_id for m in ms],
        [m.location_id for m in ms],
        [m.movement_type.value for m in ms],
        [m.quantity for m in ms],
        [m.occurred_at for m in ms],
        [m.recorded_at for m in ms],
        [m.actor for m in ms],
        [m.reference for m in ms],
        [m.source for m in ms],
        [m.reason_id for m in ms],
    ]
