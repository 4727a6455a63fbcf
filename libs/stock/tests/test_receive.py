"""Receipts as the domain sees them: pure rules, no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from akiba_stock.commands import ReceiveStock
from akiba_stock.errors import BatchConflict, InvalidMovement
from akiba_stock.model import MovementType, new_batch, receive

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _cmd(**overrides: object) -> ReceiveStock:
    fields: dict[str, object] = {
        "store_id": uuid4(),
        "item_id": uuid4(),
        "lot_code": "L1",
        "expiry_date": date(2028, 1, 31),
        "quantity": 10,
        "occurred_at": None,
        "actor": "amina",
    }
    fields.update(overrides)
    return ReceiveStock(**fields)  # type: ignore[arg-type]


def test_a_receipt_becomes_a_positive_ledger_entry_at_the_given_sequence() -> None:
    cmd = _cmd(quantity=120)
    m = receive(cmd, new_batch(cmd), 42, NOW)
    assert (m.movement_type, m.quantity, m.store_sequence) == (MovementType.RECEIPT, 120, 42)
    assert m.occurred_at == NOW == m.recorded_at


def test_a_back_dated_receipt_keeps_when_it_happened() -> None:
    earlier = NOW - timedelta(days=20)
    cmd = _cmd(occurred_at=earlier)
    m = receive(cmd, new_batch(cmd), 1, NOW)
    assert (m.occurred_at, m.recorded_at) == (earlier, NOW)


@pytest.mark.parametrize("quantity", [0, -5])
def test_a_receipt_must_add_stock(quantity: int) -> None:
    cmd = _cmd(quantity=quantity)
    with pytest.raises(InvalidMovement, match="positive"):
        receive(cmd, new_batch(cmd), 1, NOW)


def test_a_receipt_in_the_future_is_refused_but_small_clock_skew_is_not() -> None:
    late = _cmd(occurred_at=NOW + timedelta(hours=1))
    with pytest.raises(InvalidMovement, match="future"):
        receive(late, new_batch(late), 1, NOW)
    skewed = _cmd(occurred_at=NOW + timedelta(minutes=2))
    assert receive(skewed, new_batch(skewed), 1, NOW).occurred_at == skewed.occurred_at


def test_a_known_lot_with_another_expiry_is_a_conflict() -> None:
    first = _cmd(expiry_date=date(2028, 1, 31))
    batch = new_batch(first)
    with pytest.raises(BatchConflict, match="2028-01-31"):
        receive(_cmd(item_id=first.item_id, expiry_date=date(2029, 1, 31)), batch, 2, NOW)


def test_a_receipt_without_expiry_uses_the_known_lot() -> None:
    first = _cmd()
    batch = new_batch(first)
    m = receive(_cmd(item_id=first.item_id, expiry_date=None), batch, 2, NOW)
    assert m.batch == batch
