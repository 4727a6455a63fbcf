"""Stocktakes: snapshot, counts, reasons, and the adjustments finalising posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from akiba_stock.ledger import Balances, LedgerEntry, LedgerKind, StockLine
from akiba_stock.reference import AdjustmentReason, ReasonCategory, ReasonDirection
from akiba_stock.stocktake import Reason, Stocktake, StocktakeError, StocktakeStatus

NOW = datetime(2026, 5, 4, 16, 0, tzinfo=UTC)
STORE, ITEM = uuid4(), uuid4()


@dataclass(frozen=True)
class FakeReason:
    reason_id: UUID
    name: str
    direction: str


FOUND = FakeReason(uuid4(), "Found", "credit")
DAMAGED = FakeReason(uuid4(), "Damaged", "debit")


def _line(store: UUID = STORE) -> StockLine:
    return StockLine(store, ITEM, uuid4(), uuid4())


def _movement(line: StockLine, quantity: int, seq: int) -> LedgerEntry:
    kind = LedgerKind.RECEIPT if quantity > 0 else LedgerKind.ISSUE
    return LedgerEntry(line, kind, quantity, NOW, seq)


def _stocktake(*snapshot: tuple[StockLine, int]) -> Stocktake:
    return Stocktake(uuid4(), STORE, dict(snapshot), snapshot_sequence=100)


def test_a_new_stocktake_is_a_draft_and_the_first_count_starts_counting() -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    statuses = [stocktake.status]
    stocktake.count(line, 10)
    statuses.append(stocktake.status)
    assert statuses == [StocktakeStatus.DRAFT, StocktakeStatus.COUNTING]


def test_a_count_matching_the_snapshot_posts_nothing() -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    stocktake.count(line, 10)
    result = stocktake.finalise([], NOW, first_sequence=101)
    assert result.adjustments == [] and [v.quantity for v in result.variances] == [0]
    assert stocktake.status is StocktakeStatus.FINALISED


def test_a_shortfall_posts_a_negative_stocktake_balance_with_its_debit_reason() -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    stocktake.count(line, 7, DAMAGED)
    [adjustment] = stocktake.finalise([], NOW, first_sequence=101).adjustments
    assert (adjustment.kind, adjustment.quantity) == (LedgerKind.STOCKTAKE_BALANCE, -3)
    assert (adjustment.reason_id, adjustment.line) == (DAMAGED.reason_id, line)
    assert adjustment.reference == f"stocktake:{stocktake.stocktake_id}"
    assert (adjustment.occurred_at, adjustment.store_sequence) == (NOW, 101)


def test_a_batch_not_in_the_snapshot_is_counted_from_zero() -> None:
    stocktake, found = _stocktake((_line(), 5)), _line()
    stocktake.count(found, 4, FOUND)
    result = stocktake.finalise([], NOW, 101)
    assert [(a.line, a.quantity) for a in result.adjustments] == [(found, 4)]


def test_stock_received_during_the_count_is_expected_not_a_surplus() -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    stocktake.count(line, 60)  # the 50 received after the snapshot are on the shelf
    result = stocktake.finalise([_movement(line, 50, seq=101)], NOW, 102)
    assert (result.variances[0].expected, result.adjustments) == (60, [])


def test_movements_already_in_the_snapshot_are_not_counted_twice() -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    stocktake.count(line, 10)
    assert stocktake.finalise([_movement(line, 10, seq=100)], NOW, 102).adjustments == []


def test_configured_adjustment_reasons_can_explain_a_variance() -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    expired = AdjustmentReason(
        uuid4(), "Expired", ReasonDirection.DEBIT, ReasonCategory.PHYSICAL_INVENTORY
    )
    stocktake.count(line, 4, expired)
    [adjustment] = stocktake.finalise([], NOW, 101).adjustments
    assert (adjustment.quantity, adjustment.reason_id) == (-6, expired.reason_id)


def test_a_non_zero_variance_without_a_reason_is_refused_and_the_count_stays_open() -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    stocktake.count(line, 12)
    with pytest.raises(StocktakeError, match=r"1 line\(s\) need a reason.*\+2 has no reason"):
        stocktake.finalise([], NOW, 101)
    assert stocktake.status is StocktakeStatus.COUNTING


@pytest.mark.parametrize(("counted", "reason"), [(12, DAMAGED), (8, FOUND)])
def test_a_reason_must_go_the_same_way_as_the_variance(counted: int, reason: Reason) -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    stocktake.count(line, counted, reason)
    with pytest.raises(StocktakeError, match=f"needs a .* reason, not '{reason.name}'"):
        stocktake.finalise([], NOW, 101)


def test_missing_reasons_are_listed_up_to_ten_then_counted() -> None:
    lines = [_line() for _ in range(13)]
    stocktake = _stocktake(*((line, 1) for line in lines))
    for line in lines:
        stocktake.count(line, 0)
    with pytest.raises(StocktakeError, match=r"^13 line\(s\).*; and 3 more$"):
        stocktake.finalise([], NOW, 101)


def test_uncounted_lines_are_left_as_they_are_and_reported() -> None:
    counted, skipped = _line(), _line()
    stocktake = _stocktake((counted, 3), (skipped, 9))
    stocktake.count(counted, 3)
    result = stocktake.finalise([], NOW, 101)
    assert (result.uncounted, result.adjustments) == ([skipped], [])


def test_a_recount_replaces_the_earlier_count() -> None:
    line = _line()
    stocktake = _stocktake((line, 10))
    stocktake.count(line, 3)
    stocktake.count(line, 10)
    assert stocktake.finalise([], NOW, 101).adjustments == []


def test_a_stocktake_with_no_counts_cannot_be_finalised() -> None:
    with pytest.raises(StocktakeError, match="no counts"):
        _stocktake((_line(), 1)).finalise([], NOW, 101)


def test_a_finalised_stocktake_accepts_no_counts_and_no_second_finalise() -> None:
    line = _line()
    stocktake = _stocktake((line, 1))
    stocktake.count(line, 1)
    stocktake.finalise([], NOW, 101)
    with pytest.raises(StocktakeError, match="finalised"):
        stocktake.count(line, 2)
    with pytest.raises(StocktakeError, match="finalised"):
        stocktake.finalise([], NOW, 101)


def test_counts_must_be_whole_and_of_this_store() -> None:
    stocktake = _stocktake()
    with pytest.raises(StocktakeError, match="negative"):
        stocktake.count(_line(), -1)
    with pytest.raises(StocktakeError, match="not in store"):
        stocktake.count(_line(uuid4()), 1)
    with pytest.raises(StocktakeError, match="not in store"):
        Stocktake(uuid4(), STORE, {_line(uuid4()): 1}, 1)


def test_a_5000_line_stocktake_posts_one_adjustment_per_varying_line() -> None:
    lines = [_line() for _ in range(5000)]
    stocktake = _stocktake(*((line, 100) for line in lines))
    received = [_movement(line, 5, 101 + i) for i, line in enumerate(lines[:1000])]
    for i, line in enumerate(lines):
        on_shelf = 105 if i < 1000 else 100
        stocktake.count(line, on_shelf + i % 3 - 1, FOUND if i % 3 == 2 else DAMAGED)
    result = stocktake.finalise(received, NOW, 6000)
    assert len(result.variances) == 5000 and len(result.adjustments) == 1667 + 1666
    assert sum(a.quantity for a in result.adjustments) == -1
    assert [a.store_sequence for a in result.adjustments] == list(range(6000, 6000 + 3333))


LINES = [_line() for _ in range(4)]


@given(
    before=st.lists(st.tuples(st.integers(0, 3), st.integers(-30, 30).filter(bool)), max_size=15),
    during=st.lists(st.tuples(st.integers(0, 3), st.integers(-30, 30).filter(bool)), max_size=15),
    counts=st.dictionaries(st.integers(0, 4), st.integers(0, 80)),
)
def test_posting_the_variances_brings_every_counted_line_to_its_count(
    before: list[tuple[int, int]], during: list[tuple[int, int]], counts: dict[int, int]
) -> None:
    extra = _line()  # index 4: a batch found during the count, not in the snapshot
    lines = [*LINES, extra]
    history = [_movement(lines[i], q, seq) for seq, (i, q) in enumerate(before, start=1)]
    balances = Balances()
    for m in history:
        balances.post(m, enforce_non_negative=False)
    snapshot_seq = len(history)
    stocktake = Stocktake(uuid4(), STORE, {line: balances.of(line) for line in LINES}, snapshot_seq)
    later = [_movement(lines[i], q, seq) for seq, (i, q) in enumerate(during, snapshot_seq + 1)]
    for m in later:
        balances.post(m, enforce_non_negative=False)
    for i, counted in counts.items():
        variance = counted - balances.of(lines[i])
        stocktake.count(lines[i], counted, FOUND if variance > 0 else DAMAGED)
    if not counts:
        return
    result = stocktake.finalise([*history, *later], NOW, snapshot_seq + len(later) + 1)
    untouched = {line: balances.of(line) for line in result.uncounted}
    for adjustment in result.adjustments:
        balances.post(adjustment, enforce_non_negative=True)
    assert {i: balances.of(lines[i]) for i in counts} == counts
    assert {line: balances.of(line) for line in result.uncounted} == untouched
