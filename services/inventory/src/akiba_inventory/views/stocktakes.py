"""Read queries for stocktakes: one statement per page, whatever the number of lines."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from akiba_contracts.stock_http.stocktakes import StocktakeResponse
from akiba_inventory.adapters.stocktakes import record_of
from akiba_stock.stocktake import StocktakeStatus

_SUMMARY = """
select s.stocktake_id, s.store_id, s.status, s.snapshot_sequence, s.item_ids, s.location_ids,
       s.program_id, s.reference, s.created_by, s.created_at, s.updated_at, s.finalised_by,
       s.finalised_at, s.adjustments, c.lines, c.counted, count(*) over () as total
  from stocktakes s
  cross join lateral (select count(*) as lines, count(l.counted) as counted
                        from stocktake_lines l where l.stocktake_id = s.stocktake_id) c
 where s.store_id = $1 and ($2::uuid is null or s.stocktake_id = $2)
   and ($3::text is null or s.status = $3)
 order by s.created_at desc, s.stocktake_id
 limit $4 offset $5
"""

# Expected follows the rule in `domain.stocktake`: the snapshot plus the net of the store's
# movements on the line recorded after the snapshot. Once finalised it is the value fixed then.
_LINES = """
with net as (
  select m.item_id, m.batch_id, m.location_id, sum(m.quantity) as net
    from stock_movements m
   where not $6 and m.store_id = $2 and m.store_sequence > $3
   group by m.item_id, m.batch_id, m.location_id
)
select l.item_id, i.code as item_code, i.name as item_name, l.batch_id, b.lot_code,
       b.expiry_date, l.location_id, l.snapshot, e.expected, l.counted,
       l.counted - e.expected as variance, l.reason_id, l.counted_by, l.counted_at,
       l.movement_id, count(*) over () as total
  from stocktake_lines l
  join items i using (item_id)
  join batches b using (batch_id)
  left join net n on n.item_id = l.item_id and n.batch_id = l.batch_id
                 and n.location_id is not distinct from l.location_id
  cross join lateral (select case when $6 then l.expected
                                  else l.snapshot + coalesce(n.net, 0) end as expected) e
 where l.stocktake_id = $1
 order by i.code, b.expiry_date nulls last, b.lot_code, l.location_id nulls first
 limit $4 offset $5
"""


def _response(r: Any) -> StocktakeResponse:
    record = record_of(r)
    return StocktakeResponse(
        stocktake_id=record.stocktake_id,
        store_id=record.store_id,
        status=record.status.value,
        snapshot_sequence=record.snapshot_sequence,
        item_ids=list(record.scope.item_ids),
        location_ids=list(record.scope.location_ids),
        program_id=record.program_id,
        reference=record.reference,
        created_by=record.created_by,
        created_at=record.created_at,
        updated_at=record.updated_at,
        finalised_by=record.finalised_by,
        finalised_at=record.finalised_at,
        adjustments=record.adjustments,
        lines=int(r["lines"]),
        counted=int(r["counted"]),
    )


async def stocktakes(
    pool: asyncpg.Pool[Any], store_id: UUID, status: str | None, page: int, size: int
) -> tuple[list[StocktakeResponse], int]:
    """A page of the store's stocktakes, newest first, with line and count totals."""
    rows = await pool.fetch(_SUMMARY, store_id, None, status, size, page * size)
    total = int(rows[0]["total"]) if rows else 0
    return [_response(r) for r in rows], total


async def stocktake(
    pool: asyncpg.Pool[Any], store_id: UUID, stocktake_id: UUID
) -> StocktakeResponse | None:
    """One stocktake of the store with its line and count totals."""
    row = await pool.fetchrow(_SUMMARY, store_id, stocktake_id, None, 1, 0)
    return None if row is None else _response(row)


async def lines(
    pool: asyncpg.Pool[Any], head: StocktakeResponse, page: int, size: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the stocktake's lines with expected, counted and variance."""
    finalised = head.status == StocktakeStatus.FINALISED.value
    rows = await pool.fetch(
        _LINES,
        head.stocktake_id,
        head.store_id,
        head.snapshot_sequence,
        size,
        page * size,
        finalised,
    )
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total
