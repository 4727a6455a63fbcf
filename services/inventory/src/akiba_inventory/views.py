"""Read queries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg


async def stock_on_hand(pool: asyncpg.Pool[Any], store_id: UUID) -> list[dict[str, Any]]:
    """The store's stock lines as projected, largest first."""
    rows = await pool.fetch(
        "select l.item_id, l.batch_id, b.lot_code, b.expiry_date, l.location_id,"
        " l.quantity_on_hand, l.store_sequence from stock_levels l"
        " left join batches b using (batch_id) where l.store_id = $1"
        " order by l.item_id, b.expiry_date nulls last, b.lot_code",
        store_id,
    )
    return [dict(r) for r in rows]
