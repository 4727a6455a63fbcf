"""Properties of the ledger over random sequences of movements (hypothesis)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from akiba_stock.ledger import (
    Balances,
    Direction,
    InsufficientStock,
    LedgerEntry,
    LedgerKind,
    StockLine,
    insert_backdated,
    move_location,
    running_balances,
    signed,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
STORE, ITEM = uuid4(), uuid4()
BATCHES, LOCATIONS = [uuid4(), uuid4()], [uuid4(), None]
LINES = [StockLine(STORE, ITEM, b, loc) for b in BATCHES for loc in LOCATIONS]


@st.composite
def entries(draw: st.DrawFn, lines: list[StockLine] = LINES) -> list[LedgerEntry]:
    """Random movements on a few lines, recorded in store-sequence order, dated at random."""
    count = draw(st.integers(0, 40))
    return [draw(_entry(seq, lines)) for seq in range(1, count + 1)]


@st.composite
def _entry(draw: st.DrawFn, seq: int, lines: list[StockLine]) -> LedgerEntry:
    kind = draw(st.sampled_from(list(LedgerKind)))
    units = draw(st.integers(1, 50))
    if kind.direction is Direction.EITHER and draw(st.booleans()):
        units = -units
    day = draw(st.integers(0, 20))
    reason = uuid4() if kind.startswith("adjustment") else None
    line = draw(st.sampled_from(lines))
    return LedgerEntry(line, kind, signed(kind, units), T0 + timedelta(days=day), seq, reason)


def _sums(movements: list[LedgerEntry]) -> dict[StockLine, int]:
    totals: Counter[StockLine] = Counter()
    for m in movements:
        totals[m.line] += m.quantity
    return dict(totals)


@given(entries())
def test_the_final_balance_of_every_line_is_the_sum_of_its_signed_quantities(
    movements: list[LedgerEntry],
) -> None:
    balances = Balances()
    for m in movements:
        balances.post(m, enforce_non_negative=False)
    assert balances.lines() == _sums(movements)


@given(entries(), st.integers(-20, 20))
def test_each_running_balance_is_the_previous_one_plus_its_quantity(
    movements: list[LedgerEntry], opening: int
) -> None:
    rows = running_balances(movements, opening)
    previous = [opening, *(r.balance for r in rows)][: len(rows)]
    assert all(r.balance == p + r.entry.quantity for r, p in zip(rows, previous, strict=True))
    assert [r.entry.card_order for r in rows] == sorted(m.card_order for m in movements)
    assert (rows[-1].balance if rows else opening) == opening + sum(m.quantity for m in movements)


@given(entries())
def test_with_central_enforcement_no_balance_ever_goes_below_zero(
    movements: list[LedgerEntry],
) -> None:
    balances, accepted = Balances(), []
    for m in movements:
        before = balances.lines()
        try:
            balances.post(m, enforce_non_negative=True)
            accepted.append(m)
        except InsufficientStock:
            assert balances.lines() == before
        assert all(q >= 0 for q in balances.lines().values())
    assert balances.lines() == _sums(accepted)


@given(entries([LINES[0]]), st.integers(1, 50), st.integers(-1, 22), st.booleans())
def test_a_back_dated_insertion_gives_the_same_card_as_sorting_everything_from_scratch(
    history: list[LedgerEntry], units: int, day: int, removes: bool
) -> None:
    kind = LedgerKind.ISSUE if removes else LedgerKind.RECEIPT
    late = LedgerEntry(
        LINES[0], kind, signed(kind, units), T0 + timedelta(days=day), len(history) + 1
    )
    card = running_balances(history)
    result = insert_backdated(card, late, enforce_non_negative=False)
    from_scratch = running_balances([*history, late])
    assert card[: result.index] + result.rows == from_scratch
    assert result.went_negative == (removes and min(r.balance for r in result.rows) < 0)


@given(entries([LINES[0]]), st.integers(1, 50), st.integers(-1, 22))
def test_a_central_back_dated_issue_is_refused_exactly_when_a_later_balance_would_be_negative(
    history: list[LedgerEntry], units: int, day: int
) -> None:
    late = LedgerEntry(LINES[0], LedgerKind.ISSUE, -units, T0 + timedelta(days=day), 999)
    from_scratch = running_balances([*history, late])
    position = from_scratch.index(next(r for r in from_scratch if r.entry is late))
    would_go_negative = min(r.balance for r in from_scratch[position:]) < 0
    try:
        insert_backdated(running_balances(history), late, enforce_non_negative=True)
        refused = False
    except InsufficientStock as error:
        refused = True
        assert 0 <= error.available < units
    assert refused == would_go_negative


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 30)), max_size=30))
def test_location_moves_never_change_a_batch_total(moves: list[tuple[int, int, int]]) -> None:
    balances = Balances({line: 40 for line in LINES})
    seq = 1
    for source, target, units in moves:
        src, dst = LINES[source], LINES[target]
        if src.batch_id != dst.batch_id or src == dst:
            continue
        for half in move_location(src, dst.location_id, units, T0, seq):
            balances.post(half, enforce_non_negative=False)
        seq += 2
    assert [balances.batch_total(STORE, ITEM, b) for b in BATCHES] == [80, 80]
