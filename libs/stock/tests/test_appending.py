"""Balances of entries appended at a card's end follow from the balances there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from akiba_stock.appending import CardEnd, append
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import Batch, StockMovement

STORE, ITEM = uuid4(), uuid4()
LOT_A, LOT_B = Batch(uuid4(), ITEM, "A", None), Batch(uuid4(), ITEM, "B", None)
T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def _m(seq: int, qty: int, batch: Batch = LOT_A, at: datetime | None = None) -> StockMovement:
    kind = LedgerKind.RECEIPT if qty > 0 else LedgerKind.ISSUE
    when = at or T0 + timedelta(hours=seq)
    return StockMovement(
        uuid4(), STORE, seq, ITEM, batch, None, kind, qty, when, when, "amina", None, None, None
    )


def _balances(ms: list[StockMovement], end: CardEnd) -> list[tuple[int, int]]:
    got = append(ms, {(STORE, ITEM): end})
    assert not got.backdated
    return [got.balances[m.movement_id] for m in ms]


def test_an_empty_card_starts_every_balance_at_zero() -> None:
    ms = [_m(1, 10), _m(2, 5, LOT_B), _m(3, -4)]
    assert _balances(ms, CardEnd(None)) == [(10, 10), (15, 5), (11, 6)]


def test_entries_continue_from_the_item_and_batch_balances_at_the_end() -> None:
    end = CardEnd((T0, 0), {LOT_A.batch_id: 7, LOT_B.batch_id: 3})
    assert _balances([_m(1, -2, LOT_B), _m(2, 4)], end) == [(8, 1), (12, 11)]


def test_entries_are_balanced_in_card_order_whatever_order_they_come_in() -> None:
    first, second = _m(1, 10), _m(2, -3)
    assert _balances([second, first], CardEnd(None)) == [(7, 7), (10, 10)]


def test_an_entry_before_the_cards_last_one_leaves_the_card_to_the_database() -> None:
    late = _m(5, 1, at=T0 - timedelta(days=1))
    other_item: UUID = uuid4()
    got = append(
        [late],
        {(STORE, ITEM): CardEnd((T0, 4), {LOT_A.batch_id: 9}), (STORE, other_item): CardEnd(None)},
    )
    assert got.backdated == {(STORE, ITEM)} and got.balances == {}


def test_an_entry_at_the_same_time_but_a_later_sequence_is_not_backdated() -> None:
    got = append([_m(5, 1, at=T0)], {(STORE, ITEM): CardEnd((T0, 4), {LOT_A.batch_id: 9})})
    assert not got.backdated
