"""The ledger by day as requisitions read it: a store's items over a run of periods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol
from uuid import UUID

from akiba_platform import Connection
from akiba_replenish.ledger import Day, figures_over
from akiba_replenish.lines import LedgerFigures

_OPENING = """
select item_id, sum(net)::bigint from movement_days
 where store_id = $1 and item_id = any($2::uuid[]) and day < $3
 group by item_id
"""
_DAYS = """
select item_id, day, received, consumed, adjusted, net from movement_days
 where store_id = $1 and item_id = any($2::uuid[]) and day between $3 and $4
"""
_BALANCE = """
select item_id, sum(net)::bigint from movement_days
 where store_id = $1 and item_id = any($2::uuid[]) group by item_id
"""
_CONSUMED = """
select item_id, sum(consumed)::bigint from movement_days
 where store_id = $1 and item_id = any($2::uuid[]) and day between $3 and $4 group by item_id
"""


class LedgerFiguresReader(Protocol):
    """What a store's ledger says about its items."""

    async def over(
        self, store_id: UUID, item_ids: Sequence[UUID], periods: Sequence[tuple[date, date]]
    ) -> dict[UUID, list[LedgerFigures]]:
        """Each item's figures for each period (oldest first)."""
        ...

    async def on_hand(self, store_id: UUID, item_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Each item's balance now."""
        ...

    async def consumed(
        self, store_id: UUID, item_ids: Sequence[UUID], start: date, end: date
    ) -> dict[UUID, int]:
        """Each item's consumption over [start, end]."""
        ...


class AsyncpgLedgerFigures:
    """Reads `movement_days`, the ledger summed per store, item and day."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def over(
        self, store_id: UUID, item_ids: Sequence[UUID], periods: Sequence[tuple[date, date]]
    ) -> dict[UUID, list[LedgerFigures]]:
        """Each item's figures for each period (oldest first)."""
        first, last = periods[0][0], periods[-1][1]
        ids = list(item_ids)
        opening = dict(await self.conn.fetch(_OPENING, store_id, ids, first))
        days: dict[UUID, list[Day]] = {i: [] for i in ids}
        for r in await self.conn.fetch(_DAYS, store_id, ids, first, last):
            days[r[0]].append(Day(r[1], r[2], r[3], r[4], r[5]))
        return {i: figures_over(opening.get(i, 0), days[i], periods) for i in ids}

    async def on_hand(self, store_id: UUID, item_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Each item's balance now."""
        return dict(await self.conn.fetch(_BALANCE, store_id, list(item_ids)))

    async def consumed(
        self, store_id: UUID, item_ids: Sequence[UUID], start: date, end: date
    ) -> dict[UUID, int]:
        """Each item's consumption over [start, end]."""
        return dict(await self.conn.fetch(_CONSUMED, store_id, list(item_ids), start, end))
