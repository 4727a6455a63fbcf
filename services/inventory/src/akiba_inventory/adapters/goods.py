"""Goods-received documents: the header and its lines, each line with its receipt movement."""

from __future__ import annotations

from typing import Protocol

from akiba_platform import Connection
from akiba_stock.commands import ReceiveGoods
from akiba_stock.model import StockMovement

_HEADER = """
insert into goods_received (document_id, store_id, supplier, reference_kind, reference_number,
    received_at, note, recorded_by, recorded_at, line_count, total_quantity)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
"""
_LINES = """
insert into goods_received_lines (document_id, line_index, item_id, batch_id, quantity,
    location_id, unit_price, movement_id)
select $1, * from unnest($2::int[], $3::uuid[], $4::uuid[], $5::int[], $6::uuid[],
    $7::numeric[], $8::uuid[])
"""


class GoodsReceivedRepository(Protocol):
    """Where goods-received documents are kept."""

    async def add(self, cmd: ReceiveGoods, movements: list[StockMovement]) -> None:
        """Keep a posted document: its header and each line with the movement that posted it."""
        ...


class AsyncpgGoodsReceived:
    """GoodsReceivedRepository on asyncpg."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, cmd: ReceiveGoods, movements: list[StockMovement]) -> None:
        """Insert the header, then every line in one statement."""
        first = movements[0]
        total = sum(m.quantity for m in movements)
        await self._conn.execute(
            _HEADER, cmd.document_id, cmd.store_id, cmd.supplier, cmd.reference_kind,
            cmd.reference_number, first.occurred_at, cmd.note, cmd.actor, first.recorded_at,
            len(movements), total,
        )  # fmt: skip
        await self._conn.execute(
            _LINES,
            cmd.document_id,
            list(range(len(movements))),
            [m.item_id for m in movements],
            [m.batch.batch_id for m in movements],
            [m.quantity for m in movements],
            [m.location_id for m in movements],
            [ln.unit_price for ln in cmd.lines],
            [m.movement_id for m in movements],
        )
