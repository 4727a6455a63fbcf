"""One behaviour suite for the store repository, the reference repository and the ledger:
the in-memory fakes and the asyncpg adapters must pass it alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_inventory.adapters.ledger import Ledger
from akiba_inventory.adapters.reference import ReferenceRepository, where
from akiba_inventory.adapters.stores import StoreRepository
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.testing import FakeInventoryUnitOfWork
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform.db import create_pool
from akiba_stock import reference as ref
from akiba_stock.ledger import InsufficientStock, LedgerKind, StockLine
from akiba_stock.model import Batch, StockMovement


@dataclass
class Ports:
    """The three ports of one implementation, inside one open unit of work."""

    stores: StoreRepository
    reference: ReferenceRepository
    ledger: Ledger


@pytest.fixture(params=["fake", "asyncpg"])
async def ports(request: pytest.FixtureRequest, databases: Databases) -> AsyncIterator[Ports]:
    if request.param == "fake":
        fake = FakeInventoryUnitOfWork()
        yield Ports(fake.stores, fake.reference, fake.ledger)
        return
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=2)
    try:
        async with InventoryUnitOfWork(pool) as uow:
            yield Ports(uow.stores, uow.reference, uow.ledger)
    finally:
        await pool.close()


async def _store(p: Ports, managed_by: ref.ManagedBy = ref.ManagedBy.CENTRAL) -> ref.Store:
    store = ref.Store(uuid4(), uuid4().hex[:8], "Store", None, None, managed_by=managed_by)
    await p.reference.add(store)
    return store


async def _item(p: Ports, active: bool = True) -> ref.Item:
    item = ref.Item(uuid4(), uuid4().hex[:8], "Item", program_ids=(uuid4(),), active=active)
    await p.reference.add(item)
    return item


async def test_a_record_added_is_got_back_and_an_unknown_one_is_none(ports: Ports) -> None:
    store = await _store(ports)
    assert await ports.reference.get(ref.Store, store.store_id) == store
    assert await ports.reference.get(ref.Store, uuid4()) is None
    assert await ports.reference.missing(ref.Store, [store.store_id, (gone := uuid4())]) == [gone]


async def test_records_added_together_come_back_a_page_at_a_time_from_page_zero(
    ports: Ports,
) -> None:
    stores = [
        ref.Store(uuid4(), f"S{n}-{uuid4().hex[:6]}", f"Store {n}", None, None) for n in range(3)
    ]
    await ports.reference.add_many(stores)
    first, total = await ports.reference.page(ref.Store, where(ref.Store), 0, 2)
    second, _ = await ports.reference.page(ref.Store, where(ref.Store), 1, 2)
    assert total == 3 and len(first) == 2 and len(second) == 1
    assert {s.store_id for s in first + second} == {s.store_id for s in stores}


async def test_a_locked_store_starts_at_sequence_one_and_posting_moves_it_on(
    ports: Ports,
) -> None:
    store, item = await _store(ports), await _item(ports)
    locked = await ports.stores.lock_store(store.store_id)
    assert locked is not None and locked.next_sequence == 1 and locked.accepts_central_writes
    batch = await ports.stores.add_batch(Batch(uuid4(), item.item_id, "L", None))
    await ports.ledger.post(
        [_movement(store, batch, seq, LedgerKind.RECEIPT, 5) for seq in (1, 2, 3, 4)],
        central=True,
    )
    again = await ports.stores.lock_store(store.store_id)
    assert again is not None and again.next_sequence == 5
    assert await ports.stores.lock_store(uuid4()) is None


async def test_a_posting_of_many_rows_moves_every_store_it_names_on(ports: Ports) -> None:
    stores, item = [await _store(ports), await _store(ports)], await _item(ports)
    batch = await ports.stores.add_batch(Batch(uuid4(), item.item_id, "L", None))
    movements = [
        _movement(store, batch, seq, LedgerKind.RECEIPT, 1)
        for store in stores
        for seq in range(1, 41)  # 80 rows: the COPY path
    ]
    await ports.ledger.post(movements, central=True)
    for store in stores:
        locked = await ports.stores.lock_store(store.store_id)
        assert locked is not None and locked.next_sequence == 41


async def test_a_store_a_site_manages_takes_no_central_writes(ports: Ports) -> None:
    store = await _store(ports, managed_by=ref.ManagedBy.SITE)
    locked = await ports.stores.lock_store(store.store_id)
    assert locked is not None and not locked.accepts_central_writes


async def test_items_unknown_or_inactive_are_named_and_programs_listed(ports: Ports) -> None:
    live, dead = await _item(ports), await _item(ports, active=False)
    unknown = uuid4()
    found = await ports.stores.inactive_items({live.item_id, dead.item_id, unknown})
    assert found == {dead.item_id, unknown}
    programs = await ports.stores.item_programs({live.item_id, unknown})
    assert programs == {live.item_id: list(live.program_ids)}
    active = await ports.stores.active_items({live.item_id, dead.item_id, unknown})
    assert active == {live.item_id: list(live.program_ids)}


async def test_only_active_locations_of_the_store_count(ports: Ports) -> None:
    store, other = await _store(ports), await _store(ports)
    here = ref.Location(uuid4(), store.store_id, "A", "Shelf")
    closed = ref.Location(uuid4(), store.store_id, "B", "Old", active=False)
    there = ref.Location(uuid4(), other.store_id, "A", "Shelf")
    for loc in (here, closed, there):
        await ports.reference.add(loc)
    wanted = {here.location_id, closed.location_id, there.location_id}
    assert await ports.stores.active_locations(store.store_id, wanted) == {here.location_id}


async def test_a_store_locked_with_what_a_write_names_brings_active_items_lots_and_batches(
    ports: Ports,
) -> None:
    store, live, dead = await _store(ports), await _item(ports), await _item(ports, active=False)
    lot = await ports.stores.add_batch(Batch(uuid4(), live.item_id, "L-1", date(2027, 3, 31)))
    other = await ports.stores.add_batch(Batch(uuid4(), live.item_id, "L-2", None))
    locked = await ports.stores.lock_with(
        store.store_id,
        {live.item_id, dead.item_id, uuid4()},
        lots=[(live.item_id, "L-1"), (live.item_id, "NONE"), (dead.item_id, "L-1")],
        batches={other.batch_id: live.item_id, lot.batch_id: dead.item_id, uuid4(): live.item_id},
    )
    assert locked is not None
    assert locked.store == await ports.stores.lock_store(store.store_id)
    assert locked.items == {live.item_id: list(live.program_ids)}
    assert locked.lots == {(live.item_id, "L-1"): lot}
    assert locked.batches == {other.batch_id: other}
    bare = await ports.stores.lock_with(store.store_id, set())
    assert bare is not None and (bare.items, bare.lots, bare.batches) == ({}, {}, {})
    assert await ports.stores.lock_with(uuid4(), {live.item_id}) is None


async def test_a_lot_is_added_once_and_found_by_code_or_by_id(ports: Ports) -> None:
    item = await _item(ports)
    batch = Batch(uuid4(), item.item_id, "LOT-1", None)
    assert await ports.stores.batch(item.item_id, "LOT-1") is None
    assert await ports.stores.add_batch(batch) == batch
    assert await ports.stores.add_batch(Batch(uuid4(), item.item_id, "LOT-1", None)) == batch
    assert await ports.stores.batches({batch.batch_id: item.item_id}) == {batch.batch_id: batch}
    assert await ports.stores.batches({batch.batch_id: uuid4()}) == {}


async def test_lots_are_added_together_once_each_and_found_by_item_and_code(ports: Ports) -> None:
    item = await _item(ports)
    known = await ports.stores.add_batch(Batch(uuid4(), item.item_id, "OLD", date(2027, 1, 31)))
    new = Batch(uuid4(), item.item_id, "NEW", None)
    again = Batch(uuid4(), item.item_id, "OLD", None)
    added = await ports.stores.add_lots([new, again])
    assert added == {(item.item_id, "NEW"): new, (item.item_id, "OLD"): known}
    wanted = [(item.item_id, "OLD"), (item.item_id, "NEW"), (item.item_id, "NONE")]
    assert await ports.stores.lots(wanted) == added


async def _on_hand(p: Ports, quantity: int) -> tuple[ref.Store, StockMovement]:
    store, item = await _store(p), await _item(p)
    batch = await p.stores.add_batch(Batch(uuid4(), item.item_id, "L", None))
    receipt = _movement(store, batch, 1, LedgerKind.RECEIPT, quantity)
    await p.ledger.post([receipt], central=True)
    return store, receipt


def _movement(
    store: ref.Store, batch: Batch, seq: int, kind: LedgerKind, qty: int
) -> StockMovement:
    now = datetime.now(UTC)
    return StockMovement(
        uuid4(), store.store_id, seq, batch.item_id, batch, None, kind, qty, now, now, "t"
    )


async def test_a_posting_returns_each_lines_level(ports: Ports) -> None:
    store, receipt = await _on_hand(ports, 7)
    issue = _movement(store, receipt.batch, 2, LedgerKind.ISSUE, -3)
    [level] = await ports.ledger.post([issue], central=True)
    assert (level.quantity, level.last_sequence, level.on_hold) == (4, 2, False)


async def _held(p: Ports, quantity: int) -> tuple[ref.Store, StockMovement]:
    store, receipt = await _on_hand(p, quantity)
    line = StockLine(store.store_id, receipt.item_id, receipt.batch.batch_id, None)
    held = await p.ledger.hold(line, True)
    assert held is not None and held.on_hold
    return store, receipt


async def test_a_central_removal_from_a_held_line_is_refused(ports: Ports) -> None:
    # The refused posting leaves the transaction to be rolled back: nothing is checked after it.
    store, receipt = await _held(ports, 5)
    issue = _movement(store, receipt.batch, 2, LedgerKind.ISSUE, -1)
    with pytest.raises(InsufficientStock):
        await ports.ledger.post([issue], central=True)


async def test_a_count_brings_a_held_line_to_what_was_counted(ports: Ports) -> None:
    store, receipt = await _held(ports, 5)
    count = _movement(store, receipt.batch, 2, LedgerKind.STOCKTAKE_BALANCE, -5)
    [level] = await ports.ledger.post([count], central=False)
    assert (level.quantity, level.on_hold) == (0, True)


async def test_holding_a_line_that_never_held_stock_finds_nothing(ports: Ports) -> None:
    assert await ports.ledger.hold(StockLine(uuid4(), uuid4(), uuid4(), None), True) is None


async def test_every_change_of_a_line_raises_its_revision(ports: Ports) -> None:
    store, receipt = await _on_hand(ports, 7)
    line = StockLine(store.store_id, receipt.item_id, receipt.batch.batch_id, None)
    [posted] = await ports.ledger.post(
        [_movement(store, receipt.batch, 2, LedgerKind.ISSUE, -3)], central=True
    )
    held = await ports.ledger.hold(line, True)
    assert held is not None and held.revision > posted.revision > 0


async def test_a_lines_level_names_its_last_movement(ports: Ports) -> None:
    store, receipt = await _on_hand(ports, 7)
    issue = _movement(store, receipt.batch, 2, LedgerKind.ISSUE, -3)
    [level] = await ports.ledger.post([issue], central=True)
    assert await ports.ledger.last_movements([level]) == {level.line: issue.movement_id}
