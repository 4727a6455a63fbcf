"""Batches and stock movements: the ledger's facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from akiba_inventory.domain.commands import ReceiveStock
from akiba_inventory.domain.errors import BatchConflict, InvalidMovement

# A device clock a little ahead of ours is not a back-to-the-future movement.
CLOCK_SKEW = timedelta(minutes=5)


class MovementType(StrEnum):
    """Kinds of ledger entry."""

    RECEIPT = "receipt"


@dataclass(frozen=True)
class Batch:
    """A lot of an item with its expiry."""

    batch_id: UUID
    item_id: UUID
    lot_code: str
    expiry_date: date | None

    def check_same(self, expiry_date: date | None) -> None:
        """A lot has one expiry; a receipt that disagrees is a data error."""
        if expiry_date is not None and expiry_date != self.expiry_date:
            raise BatchConflict(
                f"lot {self.lot_code} is recorded with expiry {self.expiry_date}, not {expiry_date}"
            )


@dataclass(frozen=True)
class StockMovement:
    """One immutable ledger entry; quantity is signed, in dispensing units."""

    movement_id: UUID
    store_id: UUID
    store_sequence: int
    item_id: UUID
    batch: Batch
    location_id: UUID | None
    movement_type: MovementType
    quantity: int
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    reference: str | None = None
    source: str | None = None


def new_batch(cmd: ReceiveStock) -> Batch:
    """The batch a receipt of an unknown lot creates."""
    return Batch(uuid4(), cmd.item_id, cmd.lot_code, cmd.expiry_date)


def receive(cmd: ReceiveStock, batch: Batch, sequence: int, now: datetime) -> StockMovement:
    """Turn a receipt into a ledger entry, or refuse it."""
    if cmd.quantity <= 0:
        raise InvalidMovement("a receipt adds stock: quantity must be positive")
    occurred = cmd.occurred_at or now
    if occurred > now + CLOCK_SKEW:
        raise InvalidMovement("a receipt cannot happen in the future")
    batch.check_same(cmd.expiry_date)
    return StockMovement(
        movement_id=uuid4(),
        store_id=cmd.store_id,
        store_sequence=sequence,
        item_id=cmd.item_id,
        batch=batch,
        location_id=cmd.location_id,
        movement_type=MovementType.RECEIPT,
        quantity=cmd.quantity,
        occurred_at=occurred,
        recorded_at=now,
        actor=cmd.actor,
        reference=cmd.reference,
        source=cmd.source,
    )
