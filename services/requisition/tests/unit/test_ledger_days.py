"""The ledger by day: how each kind of movement counts in a requisition's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

from akiba_contracts.payloads.inventory import MovementType as M
from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_requisition.consumers.ledger import day_of, sums

STORE, ITEM = uuid4(), uuid4()
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _movement(kind: M, quantity: int, at: datetime = NOON) -> StockMovementRecorded:
    return StockMovementRecorded(
        movement_id=uuid4(), store_id=STORE, item_id=ITEM, batch_id=None, lot_code=None,
        expiry_date=None, location_id=None, movement_type=kind, quantity=quantity,
        occurred_at=at, recorded_at=at, actor="t", reason_id=None, reference=None, source=None,
        store_sequence=1,
    )  # fmt: skip


def test_receipts_issues_and_adjustments_count_apart_and_together_in_net() -> None:
    day = sums(
        [
            _movement(M.RECEIPT, 100),
            _movement(M.SHIPMENT_IN, 20),
            _movement(M.ISSUE, -30),
            _movement(M.TRANSFER_OUT, -5),
            _movement(M.ADJUSTMENT_NEGATIVE, -2),
            _movement(M.STOCKTAKE_BALANCE, 1),
        ]
    )[(STORE, ITEM, NOON.date())]
    assert day == [120, 35, -1, 84]


def test_a_location_move_changes_nothing_but_nets_to_zero() -> None:
    day = sums([_movement(M.LOCATION_MOVE_OUT, -7), _movement(M.LOCATION_MOVE_IN, 7)])
    assert day[(STORE, ITEM, NOON.date())] == [0, 0, 0, 0]


def test_a_movement_counts_on_the_utc_day_it_happened() -> None:
    late_evening_east = datetime(2026, 3, 11, 1, tzinfo=timezone(timedelta(hours=3)))
    assert day_of(_movement(M.ISSUE, -1, late_evening_east)) == NOON.date()
