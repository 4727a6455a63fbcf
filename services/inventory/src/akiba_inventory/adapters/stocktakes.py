"""Stocktakes and their lines: every load and save is one set-based statement, not one per line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from akiba_platform import Connection
from akiba_stock.ledger import LedgerEntry, LedgerKind, StockLine
from akiba_stock.stocktake import StocktakeLine, StocktakeStatus, Variance


@dataclass(frozen=True)
class Scope:
    """Which stock lines a stocktake covers: the listed items and locations (none listed: all)."""

    item_ids: tuple[UUID, ...] = ()
    location_ids: tuple[UUID, ...] = ()

    def covers(self, line: StockLine) -> bool:
        """Whether the line is one this stocktake counts."""
        return (not self.item_ids or line.item_id in self.item_ids) and (
            not self.location_ids or line.location_id in self.location_ids
        )


@dataclass(frozen=True)
class StocktakeRecord:
    """A stocktake's header as stored."""

    stocktake_id: UUID
    store_id: UUID
    status: StocktakeStatus
    snapshot_sequence: int
    scope: Scope
    program_id: UUID | None
    reference: str | None
    created_by: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finalised_by: str | None = None
    finalised_at: datetime | None = None
    adjustments: int | None = None


@dataclass(frozen=True)
class SavedLine:
    """A stored line: what the aggregate is rebuilt from."""

    line: StockLine
    snapshot: int
    counted: int | None
    reason_id: UUID | None


_HEADER = """
select stocktake_id, store_id, status, snapshot_sequence, item_ids, location_ids, program_id,
       reference, created_by, created_at, updated_at, finalised_by, finalised_at, adjustments
  from stocktakes
"""

_SNAPSHOT = """
select item_id, batch_id, location_id, quantity from stock_on_hand
 where store_id = $1 and quantity <> 0 and batch_id is not null
   and (cardinality($2::uuid[]) = 0 or item_id = any($2))
   and (cardinality($3::uuid[]) = 0 or location_id = any($3))
"""

_ADD_LINES = """
insert into stocktake_lines (stocktake_id, item_id, batch_id, location_id, snapshot)
select $1, * from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[])
"""

_SAVE_COUNTS = """
insert into stocktake_lines as l (stocktake_id, item_id, batch_id, location_id, snapshot,
    counted, reason_id, counted_by, counted_at)
select $1, i, b, loc, s, c, r, $8, $9
  from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[], $6::bigint[], $7::uuid[])
       as u(i, b, loc, s, c, r)
on conflict (stocktake_id, item_id, batch_id, location_id) do update
   set counted = excluded.counted, reason_id = excluded.reason_id,
       counted_by = excluded.counted_by, counted_at = excluded.counted_at
"""

_SINCE = """
select m.movement_id, m.item_id, m.batch_id, m.location_id, m.movement_type, m.quantity,
       m.occurred_at, m.store_sequence, m.reason_id, m.reference
  from stock_movements m
 where m.store_id = $2 and m.store_sequence > $3
   and exists (select 1 from stocktake_lines l
                where l.stocktake_id = $1 and l.item_id = m.item_id and l.batch_id = m.batch_id
                  and l.location_id is not distinct from m.location_id)
"""

_FINALISE_LINES = """
update stocktake_lines l set expected = u.e, movement_id = u.m
  from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[], $6::uuid[]) as u(i, b, loc, e, m)
 where l.stocktake_id = $1 and l.item_id = u.i and l.batch_id = u.b
   and l.location_id is not distinct from u.loc
"""


class StocktakeRepository(Protocol):
    """Stocktakes and their lines; the caller holds the store lock."""

    async def snapshot(self, store_id: UUID, scope: Scope) -> dict[StockLine, int]:
        """The store's non-zero stock lines in scope, as stock on hand has them now."""
        ...

    async def add(self, record: StocktakeRecord, lines: dict[StockLine, int]) -> None:
        """Store a new stocktake and its snapshot."""
        ...

    async def get(self, store_id: UUID, stocktake_id: UUID) -> StocktakeRecord | None:
        """The stocktake of this store, locked until the transaction ends."""
        ...

    async def lines(self, stocktake_id: UUID) -> list[SavedLine]:
        """Every line of the stocktake."""
        ...

    async def save_counts(
        self, stocktake_id: UUID, entries: list[StocktakeLine], actor: str, at: datetime
    ) -> None:
        """Upsert the counted lines (new ones with their snapshot); the stocktake is counting."""
        ...

    async def movements_since(self, record: StocktakeRecord) -> list[LedgerEntry]:
        """The store's movements on the stocktake's lines recorded after its snapshot."""
        ...

    async def finalise(
        self,
        stocktake_id: UUID,
        variances: list[Variance],
        movement_ids: dict[StockLine, UUID],
        actor: str,
        at: datetime,
    ) -> None:
        """Fix each counted line's expected quantity and posted movement; close the stocktake."""
        ...


class AsyncpgStocktakes:
    """Stocktakes on the unit of work's connection; the caller holds the store's lock."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def snapshot(self, store_id: UUID, scope: Scope) -> dict[StockLine, int]:
        """The store's non-zero stock lines in scope, as stock on hand has them now."""
        rows = await self._conn.fetch(
            _SNAPSHOT, store_id, list(scope.item_ids), list(scope.location_ids)
        )
        return {
            StockLine(store_id, r["item_id"], r["batch_id"], r["location_id"]): int(r["quantity"])
            for r in rows
        }

    async def add(self, record: StocktakeRecord, lines: dict[StockLine, int]) -> None:
        """Store a new stocktake and its snapshot."""
        await self._conn.execute(
            "insert into stocktakes (stocktake_id, store_id, snapshot_sequence, item_ids,"
            " location_ids, program_id, reference, created_by) values ($1,$2,$3,$4,$5,$6,$7,$8)",
            record.stocktake_id,
            record.store_id,
            record.snapshot_sequence,
            list(record.scope.item_ids),
            list(record.scope.location_ids),
            record.program_id,
            record.reference,
            record.created_by,
        )
        keys = list(lines)
        await self._conn.execute(
            _ADD_LINES, record.stocktake_id, *_line_columns(keys), [lines[k] for k in keys]
        )

    async def get(self, store_id: UUID, stocktake_id: UUID) -> StocktakeRecord | None:
        """The stocktake of this store, locked until the transaction ends."""
        row = await self._conn.fetchrow(
            _HEADER + " where stocktake_id = $1 and store_id = $2 for update",
            stocktake_id,
            store_id,
        )
        return None if row is None else record_of(row)

    async def lines(self, stocktake_id: UUID) -> list[SavedLine]:
        """Every line of the stocktake."""
        rows = await self._conn.fetch(
            "select l.item_id, l.batch_id, l.location_id, l.snapshot, l.counted, l.reason_id,"
            " s.store_id from stocktake_lines l join stocktakes s using (stocktake_id)"
            " where l.stocktake_id = $1",
            stocktake_id,
        )
        return [
            SavedLine(
                StockLine(r["store_id"], r["item_id"], r["batch_id"], r["location_id"]),
                int(r["snapshot"]),
                None if r["counted"] is None else int(r["counted"]),
                r["reason_id"],
            )
            for r in rows
        ]

    async def save_counts(
        self, stocktake_id: UUID, entries: list[StocktakeLine], actor: str, at: datetime
    ) -> None:
        """Upsert the counted lines (new ones with their snapshot); the stocktake is counting."""
        await self._conn.execute(
            _SAVE_COUNTS,
            stocktake_id,
            *_line_columns([e.line for e in entries]),
            [e.snapshot for e in entries],
            [e.counted for e in entries],
            [e.reason.reason_id if e.reason else None for e in entries],
            actor,
            at,
        )
        await self._set_status(stocktake_id, StocktakeStatus.COUNTING, at)

    async def movements_since(self, record: StocktakeRecord) -> list[LedgerEntry]:
        """The store's movements on the stocktake's lines recorded after its snapshot."""
        rows = await self._conn.fetch(
            _SINCE, record.stocktake_id, record.store_id, record.snapshot_sequence
        )
        return [
            LedgerEntry(
                StockLine(record.store_id, r["item_id"], r["batch_id"], r["location_id"]),
                LedgerKind(r["movement_type"]),
                int(r["quantity"]),
                r["occurred_at"],
                int(r["store_sequence"]),
                reason_id=r["reason_id"],
                reference=r["reference"],
                entry_id=r["movement_id"],
            )
            for r in rows
        ]

    async def finalise(
        self,
        stocktake_id: UUID,
        variances: list[Variance],
        movement_ids: dict[StockLine, UUID],
        actor: str,
        at: datetime,
    ) -> None:
        """Fix each counted line's expected quantity and posted movement; close the stocktake."""
        await self._conn.execute(
            _FINALISE_LINES,
            stocktake_id,
            *_line_columns([v.line for v in variances]),
            [v.expected for v in variances],
            [movement_ids.get(v.line) for v in variances],
        )
        await self._set_status(stocktake_id, StocktakeStatus.FINALISED, at)
        await self._conn.execute(
            "update stocktakes set finalised_by = $2, finalised_at = $3, adjustments = $4"
            " where stocktake_id = $1",
            stocktake_id,
            actor,
            at,
            len(movement_ids),
        )

    async def _set_status(self, stocktake_id: UUID, status: StocktakeStatus, at: datetime) -> None:
        await self._conn.execute(
            "update stocktakes set status = $2, updated_at = $3 where stocktake_id = $1",
            stocktake_id,
            status.value,
            at,
        )


def record_of(r: Any) -> StocktakeRecord:
    """A header row as a record."""
    return StocktakeRecord(
        stocktake_id=r["stocktake_id"],
        store_id=r["store_id"],
        status=StocktakeStatus(r["status"]),
        snapshot_sequence=int(r["snapshot_sequence"]),
        scope=Scope(tuple(r["item_ids"]), tuple(r["location_ids"])),
        program_id=r["program_id"],
        reference=r["reference"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        finalised_by=r["finalised_by"],
        finalised_at=r["finalised_at"],
        adjustments=r["adjustments"],
    )


def _line_columns(lines: list[StockLine]) -> list[list[Any]]:
    return [
        [x.item_id for x in lines],
        [x.batch_id for x in lines],
        [x.location_id for x in lines],
    ]
