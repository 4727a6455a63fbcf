"""Read queries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from akiba_stock.onhand import StockOnHandFilter
from akiba_stock.programs import ProgramScope, check_programs

_SOH_FILTER = """
  from stock_on_hand s
  join items i using (item_id)
  left join batches b using (batch_id)
 where s.store_id = $1
   and ($2::uuid is null or s.item_id = $2)
   and ($3::uuid is null or s.location_id = $3)
   and ($4::text is null or lower(b.lot_code) = lower($4))
   and ($5::text is null or i.code ilike $5 or i.name ilike $5)
   and ($6::date is null or b.expiry_date < $6)
   and ($7::boolean is null or s.on_hold = $7)
   and ($8 or s.quantity <> 0)
   and ($9::uuid is null or $9 = any(i.program_ids))
"""

# The filters narrow one store's rows, which its (store_id, item_id) index finds; a store has
# thousands of lines, so matching text over them needs no index of its own.
_SOH = f"""
select s.item_id, i.code as item_code, i.name as item_name, s.batch_id, b.lot_code,
       b.expiry_date, s.location_id, s.quantity, s.reserved, s.on_hold,
       case when s.on_hold then 0 else greatest(s.quantity - s.reserved, 0) end as available
{_SOH_FILTER}
 order by i.code, b.expiry_date nulls last, b.lot_code, s.location_id
 limit $10 offset $11
"""

_NON_EMPTY = StockOnHandFilter()


async def stock_on_hand(
    pool: asyncpg.Pool[Any],
    store_id: UUID,
    filters: StockOnHandFilter = _NON_EMPTY,
    *,
    page: int = 0,
    size: int = 50,
) -> tuple[list[asyncpg.Record], int]:
    """A page of the store's stock lines, first-expiry first within each item, and the total."""
    f = filters
    q = None if f.q is None else _contains(f.q)
    args = (store_id, f.item_id, f.location_id, f.lot_code, q, f.expiring_before, f.on_hold,
            f.include_empty, f.program_id)  # fmt: skip
    rows = await pool.fetch(_SOH, *args, size, page * size)
    if page == 0 and len(rows) < size:
        return rows, len(rows)  # the whole result fits this page: no second query
    total = await pool.fetchval("select count(*)" + _SOH_FILTER, *args)
    return rows, int(total)


def _contains(text: str) -> str:
    """An ilike pattern matching `text` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_CARD = """
select m.movement_id, m.store_sequence, m.occurred_at, m.recorded_at, m.movement_type,
       m.batch_id, b.lot_code, m.location_id, m.quantity,
       case when $3::uuid is null then m.item_balance else m.batch_balance end as balance,
       m.actor, m.reason_id, m.reference, m.source, count(*) over () as total
  from stock_movements m
  left join batches b using (batch_id)
 where m.store_id = $1 and m.item_id = $2 and ($3::uuid is null or m.batch_id = $3)
 order by m.occurred_at, m.store_sequence
 limit $4 offset $5
"""


async def stock_card(
    pool: asyncpg.Pool[Any],
    store_id: UUID,
    item_id: UUID,
    batch_id: UUID | None,
    page: int,
    size: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the item's (or one batch's) ledger in date order with running balances."""
    rows = await pool.fetch(_CARD, store_id, item_id, batch_id, size, page * size)
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total


async def check_item_programs(
    pool: asyncpg.Pool[Any], item_id: UUID, programs: ProgramScope
) -> None:
    """Refuse (OutOfProgramScope) reading an item of programs the reader's right does not cover."""
    if programs is None:
        return
    found = await pool.fetchval("select program_ids from items where item_id = $1", item_id)
    check_programs(programs, {item_id: list(found or [])})
