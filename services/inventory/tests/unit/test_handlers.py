"""Inventory's command handlers driven through the fake unit of work: no database."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from akiba_inventory.handlers.movements import (
    hold_stock,
    move_stock,
    receive_stock,
    record_movements,
)
from akiba_inventory.testing import FakeInventoryUnitOfWork
from akiba_stock import reference as ref
from akiba_stock.commands import HoldStock, MovementLine, MoveStock, ReceiveStock, RecordMovements
from akiba_stock.errors import InvalidMovement, ItemNotFound, StoreManagedBySite, StoreNotFound
from akiba_stock.ledger import InsufficientStock, LedgerKind


class Site:
    """A fake unit of work holding one central store, one item and two locations."""

    def __init__(self, managed_by: ref.ManagedBy = ref.ManagedBy.CENTRAL) -> None:
        self.uow = FakeInventoryUnitOfWork()
        self.store, self.item = uuid4(), uuid4()
        self.shelf, self.fridge = uuid4(), uuid4()
        self.managed_by = managed_by

    async def seed(self) -> Site:
        add = self.uow.reference.add
        await add(ref.Store(self.store, "S1", "Store", None, None, managed_by=self.managed_by))
        await add(ref.Item(self.item, "I1", "Item"))
        await add(ref.Location(self.shelf, self.store, "A", "Shelf"))
        await add(ref.Location(self.fridge, self.store, "B", "Fridge"))
        return self

    def receipt(self, quantity: int = 10, **more: object) -> ReceiveStock:
        return ReceiveStock(
            self.store,
            self.item,
            "LOT-1",
            None,
            quantity,
            None,
            "tester",
            **more,  # type: ignore[arg-type]
        )

    def issue(self, batch: UUID, quantity: int, **line: object) -> RecordMovements:
        lines = (MovementLine(self.item, batch, quantity, **line),)  # type: ignore[arg-type]
        return RecordMovements(self.store, LedgerKind.ISSUE, lines, None, "tester")


@pytest.fixture
async def site() -> Site:
    return await Site().seed()


async def test_a_receipt_numbers_its_movement_commits_and_publishes_movement_and_level(
    site: Site,
) -> None:
    m = await receive_stock(site.receipt(25), site.uow)
    assert (m.store_sequence, m.quantity) == (1, 25)
    assert site.uow.committed
    assert [e.topic for e in site.uow.published] == [
        "inventory.stock-movements",
        "inventory.stock-levels",
    ]
    assert await site.uow.stores.lock_store(site.store) is not None
    assert site.uow.stores.next_sequences[site.store] == 2


async def test_a_second_receipt_of_the_same_lot_reuses_its_batch(site: Site) -> None:
    first = await receive_stock(site.receipt(), site.uow)
    second = await receive_stock(site.receipt(), site.uow)
    assert first.batch == second.batch and second.store_sequence == 2


async def test_an_issue_that_overdraws_is_refused_and_nothing_is_published(site: Site) -> None:
    m = await receive_stock(site.receipt(5), site.uow)
    before = list(site.uow.published)
    with pytest.raises(InsufficientStock):
        await record_movements(site.issue(m.batch.batch_id, 6), site.uow)
    assert site.uow.published == before


async def test_an_issue_within_stock_leaves_the_rest_on_hand(site: Site) -> None:
    m = await receive_stock(site.receipt(5), site.uow)
    [out] = await record_movements(site.issue(m.batch.batch_id, 3), site.uow)
    assert out.quantity == -3
    assert [lv.quantity for lv in site.uow.ledger.levels.values()] == [2]


async def test_nothing_is_issued_from_a_held_line(site: Site) -> None:
    m = await receive_stock(site.receipt(5), site.uow)
    hold = HoldStock(site.store, site.item, m.batch.batch_id, None, True, "tester")
    assert (await hold_stock(hold, site.uow)).on_hold
    with pytest.raises(InsufficientStock):
        await record_movements(site.issue(m.batch.batch_id, 1), site.uow)


async def test_holding_a_line_that_never_held_stock_is_refused(site: Site) -> None:
    hold = HoldStock(site.store, site.item, uuid4(), None, True, "tester")
    with pytest.raises(InvalidMovement, match="no stock has ever been recorded"):
        await hold_stock(hold, site.uow)


async def test_a_move_takes_from_one_location_and_puts_on_another(site: Site) -> None:
    m = await receive_stock(site.receipt(8, location_id=site.shelf), site.uow)
    cmd = MoveStock(
        site.store, site.item, m.batch.batch_id, site.shelf, site.fridge, 3, None, "tester"
    )
    legs = await move_stock(cmd, site.uow)
    assert [(leg.location_id, leg.quantity) for leg in legs] == [
        (site.shelf, -3),
        (site.fridge, 3),
    ]


async def test_an_unknown_location_is_refused(site: Site) -> None:
    with pytest.raises(InvalidMovement, match="not an active location"):
        await receive_stock(site.receipt(location_id=uuid4()), site.uow)


async def test_an_unknown_store_or_item_is_refused(site: Site) -> None:
    with pytest.raises(StoreNotFound):
        await receive_stock(
            ReceiveStock(uuid4(), site.item, "L", None, 1, None, "tester"), site.uow
        )
    with pytest.raises(ItemNotFound):
        await receive_stock(
            ReceiveStock(site.store, uuid4(), "L", None, 1, None, "tester"), site.uow
        )


async def test_a_store_a_site_manages_takes_no_central_movements() -> None:
    site = await Site(ref.ManagedBy.SITE).seed()
    with pytest.raises(StoreManagedBySite):
        await receive_stock(site.receipt(), site.uow)


async def test_an_adjustment_reason_that_does_not_fit_the_movement_is_refused(site: Site) -> None:
    m = await receive_stock(site.receipt(5), site.uow)
    found = ref.AdjustmentReason(
        uuid4(), "Found", ref.ReasonDirection.CREDIT, ref.ReasonCategory.ADJUSTMENT
    )
    await site.uow.reference.add(found)
    line = MovementLine(site.item, m.batch.batch_id, 1, reason_id=found.reason_id)
    cmd = RecordMovements(site.store, LedgerKind.ADJUSTMENT_NEGATIVE, (line,), None, "tester")
    with pytest.raises(InvalidMovement, match="does not fit"):
        await record_movements(cmd, site.uow)
