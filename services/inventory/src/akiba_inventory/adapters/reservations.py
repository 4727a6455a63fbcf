"""Reservations of stock lines for shipments, and the steps of each shipment applied."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from akiba_inventory.adapters.ledger import Level, level_of
from akiba_platform import Connection
from akiba_stock.ledger import StockLine

_LEVEL_COLUMNS = (
    "s.store_id, s.item_id, s.batch_id, s.location_id, s.quantity, s.reserved, s.on_hold,"
    " s.last_sequence, s.revision, s.updated_at"
)

# Lock the wanted lines, reserve of each what it has available (nothing if held), one statement.
_RESERVE = f"""
with req as (
  select * from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[])
           as r(item_id, batch_id, location_id, q)
), cur as (
  select s.ctid as tid, r.item_id, r.batch_id, r.location_id,
         least(r.q, case when s.on_hold then 0 else greatest(s.quantity - s.reserved, 0) end) as got
    from req r
    join stock_on_hand s
      on s.store_id = $1 and s.item_id = r.item_id and s.batch_id is not distinct from r.batch_id
     and s.location_id is not distinct from r.location_id
     for update of s
)
update stock_on_hand s
   set reserved = s.reserved + c.got, revision = s.revision + 1, updated_at = clock_timestamp()
  from cur c
 where s.ctid = c.tid
returning c.got, {_LEVEL_COLUMNS}
"""

_RELEASE = f"""
with gone as (
  delete from reservations where shipment_id = $1
  returning store_id, item_id, batch_id, location_id, quantity
), sums as (
  select store_id, item_id, batch_id, location_id, sum(quantity) as q from gone group by 1, 2, 3, 4
)
update stock_on_hand s
   set reserved = greatest(s.reserved - a.q, 0), revision = s.revision + 1,
       updated_at = clock_timestamp()
  from sums a
 where s.store_id = a.store_id and s.item_id = a.item_id
   and s.batch_id is not distinct from a.batch_id
   and s.location_id is not distinct from a.location_id
returning {_LEVEL_COLUMNS}
"""

_RECORD = """
insert into reservations (shipment_id, line_id, store_id, item_id, batch_id, location_id, quantity)
select $1, * from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::bigint[])
"""


@dataclass(frozen=True)
class Wanted:
    """A shipment line's ask: units of one stock line."""

    line_id: UUID
    line: StockLine
    quantity: int


@dataclass(frozen=True)
class Reserved:
    """What one shipment line got, and its stock line after the reservation."""

    wanted: Wanted
    reserved: int
    level: Level | None  # None: the store never held stock on that line


class Reservations(Protocol):
    """Reserve, release and remember shipments' steps; the caller holds the store's lock."""

    async def reserve(self, shipment_id: UUID, wanted: list[Wanted]) -> list[Reserved]:
        """Reserve of each line what is available (in the order asked), record it."""
        ...

    async def release(self, shipment_id: UUID) -> list[Level]:
        """Release whatever the shipment holds; the lines after it."""
        ...

    async def first_time(self, shipment_id: UUID, step: str) -> bool:
        """Mark a shipment's step applied; False if it already was."""
        ...


class AsyncpgReservations:
    """Reservations in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def reserve(self, shipment_id: UUID, wanted: list[Wanted]) -> list[Reserved]:
        """Reserve of each line what is available (in the order asked), record it."""
        if not wanted:
            return []
        store_id = wanted[0].line.store_id
        asked: dict[StockLine, int] = defaultdict(int)
        for w in wanted:
            asked[w.line] += w.quantity
        keys = list(asked)
        rows = await self._conn.fetch(
            _RESERVE,
            store_id,
            [k.item_id for k in keys],
            [k.batch_id for k in keys],
            [k.location_id for k in keys],
            [asked[k] for k in keys],
        )
        got = {level.line: (int(r["got"]), level) for r in rows for level in [level_of(r)]}
        out = _share(wanted, got)
        await self._conn.execute(
            _RECORD,
            shipment_id,
            [r.wanted.line_id for r in out],
            [r.wanted.line.store_id for r in out],
            [r.wanted.line.item_id for r in out],
            [r.wanted.line.batch_id for r in out],
            [r.wanted.line.location_id for r in out],
            [r.reserved for r in out],
        )
        return out

    async def release(self, shipment_id: UUID) -> list[Level]:
        """Release whatever the shipment holds; the lines after it."""
        return [level_of(r) for r in await self._conn.fetch(_RELEASE, shipment_id)]

    async def first_time(self, shipment_id: UUID, step: str) -> bool:
        """Mark a shipment's step applied; False if it already was."""
        done = await self._conn.fetchval(
            "insert into shipment_steps (shipment_id, step) values ($1, $2)"
            " on conflict do nothing returning true",
            shipment_id,
            step,
        )
        return bool(done)


def _share(wanted: list[Wanted], got: dict[StockLine, tuple[int, Level]]) -> list[Reserved]:
    """Hand each stock line's reserved units to its shipment lines, first asked first served."""
    left = {line: n for line, (n, _) in got.items()}
    out = []
    for w in wanted:
        take = min(w.quantity, left.get(w.line, 0))
        if w.line in left:
            left[w.line] -= take
        level = got[w.line][1] if w.line in got else None
        out.append(Reserved(w, take, level))
    return out
