"""Read queries for goods-received documents: a page of headers, or one with all its lines."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from akiba_contracts.stock_http.goods import (
    GoodsReceivedLineResponse,
    GoodsReceivedResponse,
    GoodsReceivedSummary,
)

_HEADERS = """
select document_id, store_id, supplier, reference_kind, reference_number, received_at, note,
       recorded_by, recorded_at, line_count, total_quantity, count(*) over () as total
  from goods_received
 where store_id = $1 and ($2::uuid is null or document_id = $2)
   and ($3::text is null or reference_number = $3)
 order by recorded_at desc, document_id
 limit $4 offset $5
"""

_LINES = """
select l.line_index, l.item_id, l.batch_id, b.lot_code, b.expiry_date, l.quantity,
       l.location_id, l.unit_price, l.movement_id
  from goods_received_lines l join batches b using (batch_id)
 where l.document_id = $1
 order by l.line_index
"""


def _summary(r: Any) -> GoodsReceivedSummary:
    return GoodsReceivedSummary.model_validate({k: v for k, v in r.items() if k != "total"})


async def page(
    pool: asyncpg.Pool[Any], store_id: UUID, reference: str | None, page: int, size: int
) -> tuple[list[GoodsReceivedSummary], int]:
    """A page of the store's documents (of one reference number), newest first."""
    rows = await pool.fetch(_HEADERS, store_id, None, reference, size, page * size)
    total = int(rows[0]["total"]) if rows else 0
    return [_summary(r) for r in rows], total


async def document(
    pool: asyncpg.Pool[Any], store_id: UUID, document_id: UUID
) -> GoodsReceivedResponse | None:
    """One document of the store with every line; None if there is none."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        head = await conn.fetchrow(_HEADERS, store_id, document_id, None, 1, 0)
        if head is None:
            return None
        lines = await conn.fetch(_LINES, document_id)
    return GoodsReceivedResponse(
        **_summary(head).model_dump(),
        lines=[GoodsReceivedLineResponse.model_validate(dict(r)) for r in lines],
    )
