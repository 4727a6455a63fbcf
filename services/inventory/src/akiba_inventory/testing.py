"""In-memory fakes of inventory's ports, so handlers' logic is tested without PostgreSQL.

The fakes pass the same behaviour suite as the asyncpg adapters
(`tests/integration/test_repository_behaviour.py`); what they leave out is said where.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from akiba_inventory.adapters.ledger import Level, last_sequences
from akiba_inventory.adapters.reference import Where
from akiba_inventory.adapters.stores import Locked, WritableStore
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import OutboxMessage
from akiba_stock import reference as ref
from akiba_stock.commands import ReceiveGoods
from akiba_stock.goods import Lot
from akiba_stock.ledger import StockLine, StockOnHand, require_available
from akiba_stock.model import Batch, StockMovement, line_of, removals
from akiba_stock.reference import DuplicateReference


class FakeReferenceRepository:
    """Reference records in a dict; unique codes and names are not enforced."""

    def __init__(self) -> None:
        self.records: dict[tuple[type[Any], UUID], ref.Reference] = {}

    async def get(self, kind: type[ref.R], record_id: UUID, *, lock: bool = False) -> ref.R | None:
        """One record (locks mean nothing in one task)."""
        found = self.records.get((kind, record_id))
        return found if isinstance(found, kind) else None

    async def add(self, record: ref.Reference) -> None:
        """Insert a new record; DuplicateReference if its id is taken."""
        key = (type(record), record.id)
        if key in self.records:
            raise DuplicateReference(f"{key[1]} exists")
        self.records[key] = record

    async def add_many(self, records: Sequence[ref.Reference]) -> None:
        """Insert many records in order."""
        for record in records:
            await self.add(record)

    async def update(self, record: ref.Reference) -> None:
        """Write a record's new state."""
        self.records[(type(record), record.id)] = record

    async def page(
        self, kind: type[ref.R], where: Where, page: int, size: int
    ) -> tuple[list[ref.R], int]:
        """Every record of the kind (filters are SQL: the fake ignores them)."""
        found = self.of(kind)
        return found[page * size : (page + 1) * size], len(found)

    async def missing(self, kind: type[ref.Reference], ids: Sequence[UUID]) -> list[UUID]:
        """Which of these ids name no record."""
        return [i for i in ids if (kind, i) not in self.records]

    async def lowest_child_level(self, zone_id: UUID) -> int | None:
        """The lowest level among a zone's children, None without children."""
        levels = [z.level for z in self.of(ref.GeographicZone) if z.parent_id == zone_id]
        return min(levels, default=None)

    def of(self, kind: type[ref.R]) -> list[ref.R]:
        """Every record of one kind."""
        return [r for r in self.records.values() if isinstance(r, kind)]


class FakeStoreRepository:
    """Stores, items, batches and locations read from the fake reference records."""

    def __init__(self, reference: FakeReferenceRepository) -> None:
        self._ref = reference
        self.next_sequences: dict[UUID, int] = defaultdict(lambda: 1)

    async def lock_store(self, store_id: UUID) -> WritableStore | None:
        """The store with its next sequence."""
        s = await self._ref.get(ref.Store, store_id)
        if s is None:
            return None
        seq = self.next_sequences[store_id]
        return WritableStore(store_id, seq, s.managed_by.value, s.facility_type_id, s.active)

    async def lock_with(
        self,
        store_id: UUID,
        items: Collection[UUID],
        lots: Collection[Lot] = (),
        batches: Mapping[UUID, UUID] | None = None,
    ) -> Locked | None:
        """The store with what the command names."""
        store = await self.lock_store(store_id)
        if store is None:
            return None
        return Locked(
            store,
            await self.active_items(set(items)),
            await self.lots(lots),
            await self.batches(dict(batches or {})),
        )

    async def batches(self, item_ids: dict[UUID, UUID]) -> dict[UUID, Batch]:
        """The batches with these ids that belong to the given items (batch id → item id)."""
        found = [b for b in self._ref.of(ref.BatchRecord) if item_ids.get(b.batch_id) == b.item_id]
        return {b.batch_id: _batch(b) for b in found}

    async def active_locations(self, store_id: UUID, ids: set[UUID]) -> set[UUID]:
        """Which of these locations are active locations of the store."""
        return {
            loc.location_id
            for loc in self._ref.of(ref.Location)
            if loc.store_id == store_id and loc.active and loc.location_id in ids
        }

    async def inactive_items(self, ids: set[UUID]) -> set[UUID]:
        """Which of these items are unknown or inactive."""
        return ids - {i.item_id for i in self._ref.of(ref.Item) if i.active}

    async def active_items(self, ids: set[UUID]) -> dict[UUID, list[UUID]]:
        """The active ones of these items, each with its programs (one read for both checks)."""
        return {
            i.item_id: list(i.program_ids)
            for i in self._ref.of(ref.Item)
            if i.active and i.item_id in ids
        }

    async def item_programs(self, ids: set[UUID]) -> dict[UUID, list[UUID]]:
        """The programs each of these items belongs to (unknown items are left out)."""
        return {i.item_id: list(i.program_ids) for i in self._ref.of(ref.Item) if i.item_id in ids}

    async def batch(self, item_id: UUID, lot_code: str) -> Batch | None:
        """The batch of an item with that lot code."""
        found = [
            b
            for b in self._ref.of(ref.BatchRecord)
            if (b.item_id, b.lot_code) == (item_id, lot_code)
        ]
        return _batch(found[0]) if found else None

    async def add_batch(self, batch: Batch) -> Batch:
        """Store a new batch; the existing one if the lot is known."""
        known = await self.batch(batch.item_id, batch.lot_code)
        if known is not None:
            return known
        record = ref.BatchRecord(batch.batch_id, batch.item_id, batch.lot_code, batch.expiry_date)
        await self._ref.add(record)
        return batch

    async def lots(self, wanted: Collection[Lot]) -> dict[Lot, Batch]:
        """The batches recorded for these (item, lot code) pairs."""
        found = {lot: await self.batch(*lot) for lot in set(wanted)}
        return {lot: b for lot, b in found.items() if b is not None}

    async def add_lots(self, batches: Sequence[Batch]) -> dict[Lot, Batch]:
        """Store new batches; the existing one for a known lot."""
        return {(b.item_id, b.lot_code): await self.add_batch(b) for b in batches}


class FakeLedger:
    """Movements in a list and stock on hand per line; running balances are not kept."""

    def __init__(self, stores: FakeStoreRepository) -> None:
        self.movements: list[StockMovement] = []
        self.levels: dict[StockLine, Level] = {}
        self._stores = stores

    async def post(self, movements: list[StockMovement], *, central: bool) -> list[Level]:
        """Append and update stock on hand; refuse central overdraws."""
        if central:
            taken = removals(movements)
            require_available(taken, {line: self._on_hand(line) for line in taken})
        self.movements += movements
        for m in movements:
            self._add(line_of(m), m.quantity, m.store_sequence)
        for store_id, last in last_sequences(movements).items():
            self._stores.next_sequences[store_id] = last + 1
        return [self.levels[line] for line in dict.fromkeys(map(line_of, movements))]

    async def hold(self, line: StockLine, on_hold: bool) -> Level | None:
        """Put a stock line on hold or release it; None when the line has never held stock."""
        if line not in self.levels:
            return None
        old = self.levels[line]
        self.levels[line] = replace(old, on_hold=on_hold, revision=old.revision + 1)
        return self.levels[line]

    async def last_movements(self, levels: list[Level]) -> dict[StockLine, UUID]:
        """The last movement of each line (what its level record names)."""
        ids = {(m.store_id, m.store_sequence): m.movement_id for m in self.movements}
        return {lv.line: ids[(lv.line.store_id, lv.last_sequence)] for lv in levels}

    def _on_hand(self, line: StockLine) -> StockOnHand:
        lv = self.levels.get(line)
        return StockOnHand(line, 0) if lv is None else StockOnHand(line, *_figures(lv))

    def _add(self, line: StockLine, quantity: int, sequence: int) -> None:
        old = self.levels.get(line, Level(line, 0, 0, False, 0, datetime.now(UTC)))
        self.levels[line] = replace(
            old,
            quantity=old.quantity + quantity,
            last_sequence=max(old.last_sequence, sequence),
            as_of=datetime.now(UTC),
            revision=old.revision + 1,
        )


class FakeGoodsReceived:
    """Goods-received documents kept in a list, in the order they were posted."""

    def __init__(self) -> None:
        self.documents: list[tuple[ReceiveGoods, list[StockMovement]]] = []

    async def add(self, cmd: ReceiveGoods, movements: list[StockMovement]) -> None:
        """Keep a posted document with its movements."""
        self.documents.append((cmd, list(movements)))


class FakeInventoryUnitOfWork(InventoryUnitOfWork):
    """The unit of work over the fakes (no stocktakes or alerts yet): commit keeps the events."""

    def __init__(self) -> None:
        super().__init__(None)
        self.reference = FakeReferenceRepository()
        self.stores = FakeStoreRepository(self.reference)
        self.ledger = FakeLedger(self.stores)
        self.goods = FakeGoodsReceived()
        self.published: list[OutboxMessage] = []
        self.committed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._messages.clear()  # what was not committed is rolled back

    async def commit(self) -> None:
        """Keep the queued events as published."""
        self.published += self._messages
        self._messages.clear()
        self.committed = True


def _batch(b: ref.BatchRecord) -> Batch:
    return Batch(b.batch_id, b.item_id, b.lot_code, b.expiry_date)


def _figures(lv: Level) -> tuple[int, int, bool]:
    return lv.quantity, lv.reserved, lv.on_hold
