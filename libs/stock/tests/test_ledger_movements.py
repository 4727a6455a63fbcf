"""Ledger movements: sign rules, central refusal, edge flagging, availability, location moves."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from akiba_stock.errors import InvalidMovement
from akiba_stock.ledger import (
    Balances,
    Direction,
    InsufficientStock,
    LedgerEntry,
    LedgerKind,
    StockLine,
    StockOnHand,
    apply,
    move_location,
    signed,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ADDING = [
    LedgerKind.RECEIPT,
    LedgerKind.ADJUSTMENT_POSITIVE,
    LedgerKind.TRANSFER_IN,
    LedgerKind.SHIPMENT_IN,
    LedgerKind.LOCATION_MOVE_IN,
]
REMOVING = [
    LedgerKind.ISSUE,
    LedgerKind.ADJUSTMENT_NEGATIVE,
    LedgerKind.TRANSFER_OUT,
    LedgerKind.SHIPMENT_OUT,
    LedgerKind.LOCATION_MOVE_OUT,
]


def _line() -> StockLine:
    return StockLine(uuid4(), uuid4(), uuid4(), uuid4())


def _entry(line: StockLine, kind: LedgerKind, units: int, seq: int = 1) -> LedgerEntry:
    reason = uuid4() if kind.startswith("adjustment") else None
    return LedgerEntry(line, kind, signed(kind, units), T0, seq, reason_id=reason)


def test_every_published_movement_type_has_a_ledger_kind_with_a_sign_rule() -> None:
    from akiba_contracts.payloads.inventory import MovementType

    assert {k.value for k in LedgerKind} == {m.value for m in MovementType}
    assert {k for k in LedgerKind if k.direction is Direction.EITHER} == {
        LedgerKind.STOCKTAKE_BALANCE
    }


@pytest.mark.parametrize("kind", ADDING)
def test_kinds_that_add_stock_store_a_positive_quantity(kind: LedgerKind) -> None:
    assert signed(kind, 7) == 7


@pytest.mark.parametrize("kind", REMOVING)
def test_kinds_that_remove_stock_store_a_negative_quantity(kind: LedgerKind) -> None:
    assert signed(kind, 7) == -7


def test_a_stocktake_balance_keeps_the_sign_of_its_variance() -> None:
    assert (signed(LedgerKind.STOCKTAKE_BALANCE, -3), signed(LedgerKind.STOCKTAKE_BALANCE, 4)) == (
        -3,
        4,
    )


@pytest.mark.parametrize("units", [0, -2])
def test_units_given_to_a_directional_kind_must_be_positive(units: int) -> None:
    with pytest.raises(InvalidMovement, match="positive"):
        signed(LedgerKind.ISSUE, units)


def test_an_entry_whose_sign_contradicts_its_kind_is_refused() -> None:
    with pytest.raises(InvalidMovement, match="cannot have quantity 5"):
        LedgerEntry(_line(), LedgerKind.ISSUE, 5, T0, 1)


def test_an_entry_of_zero_units_is_refused_even_for_a_stocktake_balance() -> None:
    with pytest.raises(InvalidMovement, match="zero"):
        LedgerEntry(_line(), LedgerKind.STOCKTAKE_BALANCE, 0, T0, 1)


def test_an_adjustment_without_a_reason_is_refused() -> None:
    with pytest.raises(InvalidMovement, match="reason"):
        LedgerEntry(_line(), LedgerKind.ADJUSTMENT_NEGATIVE, -1, T0, 1)


def test_store_sequences_start_at_one() -> None:
    with pytest.raises(InvalidMovement, match="start at 1"):
        LedgerEntry(_line(), LedgerKind.RECEIPT, 1, T0, 0)


def test_a_central_issue_within_the_balance_is_applied() -> None:
    applied = apply(10, _entry(_line(), LedgerKind.ISSUE, 10), enforce_non_negative=True)
    assert (applied.balance, applied.went_negative) == (0, False)


def test_a_central_issue_beyond_the_balance_is_refused_with_the_figures() -> None:
    line = _line()
    with pytest.raises(InsufficientStock) as refused:
        apply(4, _entry(line, LedgerKind.ISSUE, 9), enforce_non_negative=True)
    assert (refused.value.available, refused.value.requested) == (4, 9)
    message = str(refused.value)
    assert str(line.item_id) in message and str(line.batch_id) in message
    assert "available 4, requested 9" in message


def test_an_edge_issue_beyond_the_balance_is_accepted_and_flagged() -> None:
    applied = apply(4, _entry(_line(), LedgerKind.ISSUE, 9), enforce_non_negative=False)
    assert (applied.balance, applied.went_negative) == (-5, True)


def test_a_receipt_into_a_negative_line_is_not_flagged_again() -> None:
    applied = apply(-5, _entry(_line(), LedgerKind.RECEIPT, 2), enforce_non_negative=True)
    assert (applied.balance, applied.went_negative) == (-3, False)


def test_a_refused_movement_leaves_every_balance_unchanged() -> None:
    line = _line()
    balances = Balances()
    balances.post(_entry(line, LedgerKind.RECEIPT, 3), enforce_non_negative=True)
    with pytest.raises(InsufficientStock):
        balances.post(_entry(line, LedgerKind.ISSUE, 4, seq=2), enforce_non_negative=True)
    assert balances.lines() == {line: 3}


def test_available_is_total_less_reserved() -> None:
    assert StockOnHand(_line(), total=100, reserved=30).available == 70


def test_a_batch_on_hold_has_nothing_available_but_keeps_its_total() -> None:
    soh = StockOnHand(_line(), total=100, on_hold=True)
    assert (soh.total, soh.available) == (100, 0)


def test_a_negative_or_over_reserved_line_has_nothing_available() -> None:
    assert StockOnHand(_line(), total=-4).available == 0
    assert StockOnHand(_line(), total=5, reserved=8).available == 0


def test_taking_more_than_is_available_is_refused() -> None:
    soh = StockOnHand(_line(), total=100, reserved=90)
    soh.require_available(10)
    with pytest.raises(InsufficientStock, match="available 10, requested 11"):
        soh.require_available(11)


def test_a_location_move_nets_to_zero_for_the_batch_in_the_store() -> None:
    line = _line()
    balances = Balances({line: 12})
    out, into = move_location(line, uuid4(), 5, T0, first_sequence=8)
    for entry in (out, into):
        balances.post(entry, enforce_non_negative=True)
    assert balances.batch_total(*line.batch_key) == 12
    assert (balances.of(line), balances.of(into.line)) == (7, 5)
    assert (out.store_sequence, into.store_sequence) == (8, 9)
    assert out.reference == into.reference is not None


def test_a_location_move_to_the_same_location_is_refused() -> None:
    line = _line()
    with pytest.raises(InvalidMovement, match="two different locations"):
        move_location(line, line.location_id, 1, T0, 1)


def test_a_central_location_move_of_more_than_the_shelf_holds_is_refused() -> None:
    line = _line()
    out, _ = move_location(line, uuid4(), 5, T0, 1)
    with pytest.raises(InsufficientStock):
        Balances({line: 4}).post(out, enforce_non_negative=True)
