"""Stores under their write lock, and the items, batches and locations commands name."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from akiba_platform import Connection
from akiba_stock.goods import Lot
from akiba_stock.model import Batch

# The store's row under its lock, and what a write names in arrays of anonymous records.
_LOCK_WITH = """
select s.next_sequence, s.managed_by, s.facility_type_id, s.active,
       array(select row(i.item_id, i.program_ids) from items i
              where i.active and i.item_id = any($2::uuid[])) as items,
       array(select row(b.batch_id, b.item_id, b.lot_code, b.expiry_date) from batches b
               join unnest($3::uuid[], $4::text[]) as w(item_id, lot_code)
              using (item_id, lot_code)) as lots,
       array(select row(b.batch_id, b.item_id, b.lot_code, b.expiry_date) from batches b
              where b.batch_id = any($5::uuid[])) as batches
  from stores s
 where s.store_id = $1
   for update of s
"""


@dataclass(frozen=True)
class WritableStore:
    """A store as a writer sees it, under its row lock."""

    store_id: UUID
    next_sequence: int
    managed_by: str
    facility_type_id: UUID | None
    active: bool

    @property
    def accepts_central_writes(self) -> bool:
        """Only an active store that no site manages takes central movements."""
        return self.active and self.managed_by == "central"


@dataclass(frozen=True)
class Locked:
    """A store under its write lock with what a command names, read in the same round trip: the
    active ones of its items (each with its programs), and the batches found by lot and by id."""

    store: WritableStore
    items: dict[UUID, list[UUID]]
    lots: dict[Lot, Batch]
    batches: dict[UUID, Batch]


class StoreRepository(Protocol):
    """A store under its write lock, and the items, batches and locations its commands name."""

    async def lock_store(self, store_id: UUID) -> WritableStore | None:
        """Lock a store for writing; its next sequence and who may write it, None if unknown."""
        ...

    async def lock_with(
        self,
        store_id: UUID,
        items: Collection[UUID],
        lots: Collection[Lot] = (),
        batches: Mapping[UUID, UUID] | None = None,
    ) -> Locked | None:
        """Lock a store and read what the command names: the active ones of these items, the
        batches of these lots, the batches with these ids of the given items (id → item id)."""
        ...

    async def batches(self, item_ids: dict[UUID, UUID]) -> dict[UUID, Batch]:
        """The batches with these ids that belong to the given items (batch id → item id)."""
        ...

    async def active_locations(self, store_id: UUID, ids: set[UUID]) -> set[UUID]:
        """Which of these locations are active locations of the store."""
        ...

    async def inactive_items(self, ids: set[UUID]) -> set[UUID]:
        """Which of these items are unknown or inactive."""
        ...

    async def active_items(self, ids: set[UUID]) -> dict[UUID, list[UUID]]:
        """The active ones of these items, each with its programs (one read for both checks)."""
        ...

    async def item_programs(self, ids: set[UUID]) -> dict[UUID, list[UUID]]:
        """The programs each of these items belongs to (unknown items are left out)."""
        ...

    async def batch(self, item_id: UUID, lot_code: str) -> Batch | None:
        """The batch of an item with that lot code."""
        ...

    async def add_batch(self, batch: Batch) -> Batch:
        """Store a new batch; the existing one if another writer got there first."""
        ...

    async def lots(self, wanted: Collection[Lot]) -> dict[Lot, Batch]:
        """The batches recorded for these (item, lot code) pairs; unknown lots are left out."""
        ...

    async def add_lots(self, batches: Sequence[Batch]) -> dict[Lot, Batch]:
        """Store new batches; for a lot another writer added first, the one it stored."""
        ...


class AsyncpgStoreRepository:
    """StoreRepository on asyncpg."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock_store(self, store_id: UUID) -> WritableStore | None:
        """Take the store row's lock: one writer per store keeps its sequence and outbox order."""
        row = await self._conn.fetchrow(
            "select next_sequence, managed_by, facility_type_id, active from stores"
            " where store_id = $1 for update",
            store_id,
        )
        return None if row is None else WritableStore(store_id, **dict(row))

    async def lock_with(
        self,
        store_id: UUID,
        items: Collection[UUID],
        lots: Collection[Lot] = (),
        batches: Mapping[UUID, UUID] | None = None,
    ) -> Locked | None:
        """One round trip for the lock and the reads a write starts with (each round trip costs
        a receipt about a twentieth of its CPU). Items and batches are not guarded by the store's
        lock, so reading them in the lock's snapshot sees what a later read would."""
        wanted = batches or {}
        row = await self._conn.fetchrow(
            _LOCK_WITH,
            store_id,
            list(items),
            [lot[0] for lot in lots],
            [lot[1] for lot in lots],
            list(wanted),
        )
        if row is None:
            return None
        store = WritableStore(
            store_id,
            row["next_sequence"],
            row["managed_by"],
            row["facility_type_id"],
            row["active"],
        )
        by_id = (Batch(*b) for b in row["batches"])
        return Locked(
            store,
            {i[0]: list(i[1]) for i in row["items"]},
            {(b[1], b[2]): Batch(*b) for b in row["lots"]},
            {b.batch_id: b for b in by_id if wanted[b.batch_id] == b.item_id},
        )

    async def batches(self, item_ids: dict[UUID, UUID]) -> dict[UUID, Batch]:
        """The batches with these ids that belong to the given items (batch id → item id)."""
        rows = await self._conn.fetch(
            "select batch_id, item_id, lot_code, expiry_date from batches"
            " where batch_id = any($1::uuid[])",
            list(item_ids),
        )
        mine = [r for r in rows if item_ids[r["batch_id"]] == r["item_id"]]
        return {r["batch_id"]: Batch(**dict(r)) for r in mine}

    async def active_locations(self, store_id: UUID, ids: set[UUID]) -> set[UUID]:
        """Which of these locations are active locations of the store."""
        rows = await self._conn.fetch(
            "select location_id from locations where store_id = $1 and active"
            " and location_id = any($2::uuid[])",
            store_id,
            list(ids),
        )
        return {r["location_id"] for r in rows}

    async def inactive_items(self, ids: set[UUID]) -> set[UUID]:
        """Which of these items are unknown or inactive."""
        rows = await self._conn.fetch(
            "select item_id from items where active and item_id = any($1::uuid[])", list(ids)
        )
        return ids - {r["item_id"] for r in rows}

    async def active_items(self, ids: set[UUID]) -> dict[UUID, list[UUID]]:
        """The active ones of these items, each with its programs (one read for both checks)."""
        rows = await self._conn.fetch(
            "select item_id, program_ids from items where active and item_id = any($1::uuid[])",
            list(ids),
        )
        return {r["item_id"]: list(r["program_ids"]) for r in rows}

    async def item_programs(self, ids: set[UUID]) -> dict[UUID, list[UUID]]:
        """The programs each of these items belongs to (unknown items are left out)."""
        rows = await self._conn.fetch(
            "select item_id, program_ids from items where item_id = any($1::uuid[])", list(ids)
        )
        return {r["item_id"]: list(r["program_ids"]) for r in rows}

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

    async def lots(self, wanted: Collection[Lot]) -> dict[Lot, Batch]:
        """Look lots up in one statement."""
        rows = await self._conn.fetch(
            "select b.batch_id, b.item_id, b.lot_code, b.expiry_date from batches b"
            " join unnest($1::uuid[], $2::text[]) as w(item_id, lot_code)"
            " using (item_id, lot_code)",
            [lot[0] for lot in wanted],
            [lot[1] for lot in wanted],
        )
        return {(r["item_id"], r["lot_code"]): Batch(**dict(r)) for r in rows}

    async def add_lots(self, batches: Sequence[Batch]) -> dict[Lot, Batch]:
        """Insert unless present, in one statement; then read back what is stored."""
        await self._conn.execute(
            "insert into batches (batch_id, item_id, lot_code, expiry_date)"
            " select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[])"
            " on conflict (item_id, lot_code) do nothing",
            [b.batch_id for b in batches],
            [b.item_id for b in batches],
            [b.lot_code for b in batches],
            [b.expiry_date for b in batches],
        )
        return await self.lots([(b.item_id, b.lot_code) for b in batches])
