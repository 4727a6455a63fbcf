"""Stock cards: running balances in card order and back-dated movements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from akiba_stock.ledger import (
    InsufficientStock,
    LedgerEntry,
    LedgerKind,
    StockLine,
    insert_backdated,
    running_balances,
)

DAY1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LINE = StockLine(uuid4(), uuid4(), uuid4(), None)


def _at(day: int, quantity: int, seq: int, line: StockLine = LINE) -> LedgerEntry:
    kind = LedgerKind.RECEIPT if quantity > 0 else LedgerKind.ISSUE
    return LedgerEntry(line, kind, quantity, DAY1 + timedelta(days=day - 1), seq)


def _card() -> list[LedgerEntry]:
    return [_at(1, 100, 1), _at(3, -30, 2), _at(5, -50, 3), _at(7, 40, 4)]


def test_running_balances_add_each_quantity_to_the_previous_balance() -> None:
    rows = running_balances(_card())
    assert [r.balance for r in rows] == [100, 70, 20, 60]


def test_running_balances_follow_occurred_at_then_store_sequence() -> None:
    late_but_earlier = _at(2, -10, 9)
    same_day_later_seq = _at(1, 5, 10)
    rows = running_balances([*_card(), late_but_earlier, same_day_later_seq])
    assert [r.entry.store_sequence for r in rows] == [1, 10, 9, 2, 3, 4]
    assert [r.balance for r in rows] == [100, 105, 95, 65, 15, 55]


def test_running_balances_start_from_an_opening_balance() -> None:
    assert running_balances([_at(1, -5, 1)], opening=8)[0].balance == 3


def test_a_back_dated_receipt_recomputes_only_the_rows_from_its_date() -> None:
    history = running_balances(_card())
    result = insert_backdated(history, _at(4, 10, 5), enforce_non_negative=True)
    assert result.index == 2
    assert [(r.entry.store_sequence, r.balance) for r in result.rows] == [
        (5, 80),
        (3, 30),
        (4, 70),
    ]
    assert not result.went_negative


def test_a_central_back_dated_issue_that_a_later_balance_cannot_absorb_is_refused() -> None:
    history = running_balances(_card())
    # On day 4 there are 70, but day 5 issues 50: only 20 could have left on day 4.
    with pytest.raises(InsufficientStock, match="available 20, requested 25"):
        insert_backdated(history, _at(4, -25, 5), enforce_non_negative=True)


def test_a_central_back_dated_issue_the_later_balances_can_absorb_is_accepted() -> None:
    history = running_balances(_card())
    result = insert_backdated(history, _at(4, -20, 5), enforce_non_negative=True)
    assert [r.balance for r in result.rows] == [50, 0, 40]


def test_an_edge_back_dated_issue_is_accepted_and_says_a_balance_went_negative() -> None:
    history = running_balances(_card())
    result = insert_backdated(history, _at(4, -25, 5), enforce_non_negative=False)
    assert [r.balance for r in result.rows] == [45, -5, 35]
    assert result.went_negative


def test_a_movement_dated_before_the_whole_card_recomputes_every_row() -> None:
    history = running_balances(_card())
    result = insert_backdated(history, _at(0, 5, 5), enforce_non_negative=True)
    assert result.index == 0 and [r.balance for r in result.rows] == [5, 105, 75, 25, 65]


def test_a_movement_after_the_whole_card_is_a_plain_append() -> None:
    history = running_balances(_card())
    result = insert_backdated(history, _at(9, -60, 5), enforce_non_negative=True)
    assert (result.index, [r.balance for r in result.rows]) == (4, [0])


def test_back_dating_works_one_stock_line_at_a_time() -> None:
    other = StockLine(LINE.store_id, LINE.item_id, LINE.batch_id, uuid4())
    with pytest.raises(ValueError, match="one stock line"):
        insert_backdated(running_balances(_card()), _at(2, 1, 5, other), enforce_non_negative=True)
