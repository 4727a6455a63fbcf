"""Shared builders for the contract tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from akiba_contracts import MovementType, StockLevelChanged, StockMovementRecorded


@pytest.fixture
def movement() -> StockMovementRecorded:
    """A receipt of 100 units into a fresh store."""
    now = datetime.now(UTC)
    return StockMovementRecorded(
        movement_id=uuid.uuid4(),
        store_id=uuid.uuid4(),
        item_id=uuid.uuid4(),
        batch_id=uuid.uuid4(),
        lot_code="LOT-42",
        expiry_date=now.date().replace(year=now.year + 2),
        location_id=None,
        movement_type=MovementType.RECEIPT,
        quantity=100,
        occurred_at=now,
        recorded_at=now,
        actor="user-1",
        reason_id=None,
        reference="DN-7",
        source="central warehouse",
        store_sequence=1,
    )


@pytest.fixture
def level(movement: StockMovementRecorded) -> StockLevelChanged:
    """The stock level that movement produced."""
    return StockLevelChanged(
        store_id=movement.store_id,
        item_id=movement.item_id,
        batch_id=movement.batch_id,
        location_id=None,
        quantity_on_hand=100,
        last_movement_id=movement.movement_id,
        store_sequence=1,
        as_of=movement.recorded_at,
    )
