"""The ledger's tables, reached through the unit of work's connection."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from akiba_inventory.domain.model import Batch, StockMovement
from akiba_platform.db import Connection


class LedgerRepository(Protocol):
    """What handlers need from storage."""

    async def lock_store(self, store_id: UUID) -> int | None:
        """Lock an active store for writing; its next sequence, or None if unknown."""
        ...

    async def item_is_active(self, item_id: UUID) -> bool:
        """Whether the item exists and may move."""
        ...

    async def batch(self, item_id: UUID, lot_code: str) -> Batch | None:
        """The batch of an item with that lot code."""
        ...

    async def add_batch(self, batch: Batch) -> Batch:
        """Store a new batch; the existing one if another writer got there first."""
        ...

    async def add_movements(self, movements: list[StockMovement]) -> None:
        """Append to the ledger and advance the stores' sequences."""
        ...


class AsyncpgLedgerRepository:
    """LedgerRepository on asyncpg."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock_store(self, store_id: UUID) -> int | None:
        """Take the store row's lock: one writer per store keeps its sequence and outbox order."""
        seq = await self._conn.fetchval(
            "select next_sequence from stores where store_id = $1 and active for update", store_id
        )
        return None if seq is None else int(seq)

    async def item_is_active(self, item_id: UUID) -> bool:
        """Whether the item exists and is active."""
        return bool(
            await self._conn.fetchval("select active from items where item_id = $1", item_id)
        )

    async def batch(self, item_id: UUID, lot_code: str) -> Batch | None:
        """Look a lot up."""
        row = await self._conn.fetchrow(
            "select batch_id, item_id, lot_code, expiry_date from batches"
            " where item_id = $1 and lot_code = $2",
            item_id,
            lot_code,
        )
        return None if row is None else Batch(**dict(row))

    async def add_batch(self, batch: Batch) -> Batch:
        """Insert unless present; return what is stored."""
        await self._conn.execute(
            "insert into batches (batch_id, item_id, lot_code, expiry_date) values ($1, $2, $3, $4)"
            " on conflict (item_id, lot_code) do nothing",
            batch.batch_id,
            batch.item_id,
            batch.lot_code,
            batch.expiry_date,
        )
        stored = await self.batch(batch.item_id, batch.lot_code)
        assert stored is not None
        return stored

    async def add_movements(self, movements: list[StockMovement]) -> None:
        """Append rows, then move each store's counter past them."""
        await self._conn.executemany(
            "insert into stock_movements (movement_id, store_id, store_sequence, item_id,"
            " batch_id, location_id, movement_type, quantity, occurred_at, recorded_at, actor,"
            " reference, source)"
            " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            [_row(m) for m in movements],
        )
        last: dict[UUID, int] = {}
        for m in movements:
            last[m.store_id] = max(last.get(m.store_id, 0), m.store_sequence)
        await self._conn.executemany(
            "update stores set next_sequence = $2 + 1 where store_id = $1", list(last.items())
        )


def _row(m: StockMovement) -> tuple[Any, ...]:
    return (
        m.movement_id,
        m.store_id,
        m.store_sequence,
        m.item_id,
        m.batch.batch_id,
        m.location_id,
        m.movement_type.value,
        m.quantity,
        m.occurred_at,
        m.recorded_at,
        m.actor,
        m.reference,
        m.source,
    )
