"""Properties of FEFO allocation over random lots, rules and quantities (hypothesis)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from akiba_fulfillment.domain.allocation import (
    Allocation,
    LineToAllocate,
    LotStock,
    Rules,
    allocate,
    allocate_shipment,
    fefo_key,
)

ON = date(2026, 1, 1)
LOCATIONS = [None, uuid4(), uuid4()]
Row = tuple[UUID, UUID | None]


@st.composite
def lots(draw: st.DrawFn) -> list[LotStock]:
    """A few lots, some in several locations, with expiries around the allocation day."""
    rows = []
    for code in range(draw(st.integers(0, 6))):
        lot_id = uuid4()
        expiry = draw(st.none() | st.integers(-20, 200).map(lambda d: ON + timedelta(days=d)))
        for location in draw(st.lists(st.sampled_from(LOCATIONS), min_size=1, unique=True)):
            available, on_hold = draw(st.integers(-3, 60)), draw(st.booleans())
            rows.append(LotStock(lot_id, f"L{code}", expiry, available, on_hold, location))
    return rows


rules = st.builds(
    Rules.with_lead_time, st.just(ON), st.integers(0, 30), st.integers(0, 60), st.integers(0, 60)
)


def row(lot_id: UUID, location: UUID | None) -> Row:
    return (lot_id, location)


def picked_per_row(allocations: Sequence[Allocation]) -> Counter[Row]:
    taken: Counter[Row] = Counter()
    for allocation in allocations:
        for p in allocation.picks:
            taken[row(p.lot_id, p.location_id)] += p.quantity
    return taken


@given(lots(), rules, st.integers(1, 12), st.integers(0, 300))
def test_an_allocation_keeps_every_rule(
    stock: list[LotStock], terms: Rules, pack_size: int, quantity: int
) -> None:
    result = allocate(quantity, pack_size, stock, terms)
    available = {row(x.lot_id, x.location_id): x.available for x in stock}
    skipped = {row(s.lot_id, s.location_id) for s in result.skipped}

    assert all(p.quantity > 0 and p.quantity % pack_size == 0 for p in result.picks)
    assert all(n <= available[r] for r, n in picked_per_row([result]).items())
    assert result.allocated + result.unallocated == quantity
    assert not skipped & set(picked_per_row([result]))
    assert all(
        terms.skip_reason(x) is not None for x in stock if row(x.lot_id, x.location_id) in skipped
    )


@given(lots(), rules, st.integers(1, 12), st.integers(0, 300))
def test_picks_follow_fefo_and_stop_only_when_no_eligible_lot_holds_another_pack(
    stock: list[LotStock], terms: Rules, pack_size: int, quantity: int
) -> None:
    result = allocate(quantity, pack_size, stock, terms)
    by_row = {row(x.lot_id, x.location_id): x for x in stock}
    taken = picked_per_row([result])
    keys = [fefo_key(by_row[row(p.lot_id, p.location_id)]) for p in result.picks]

    assert keys == sorted(keys)
    if result.unallocated >= pack_size:
        eligible = [x for x in stock if x.available > 0 and terms.skip_reason(x) is None]
        assert all(x.available - taken[row(x.lot_id, x.location_id)] < pack_size for x in eligible)


@given(lots(), rules, st.lists(st.tuples(st.integers(1, 6), st.integers(0, 80)), max_size=5))
def test_lines_of_one_item_in_a_shipment_never_take_more_than_a_lot_has_together(
    stock: list[LotStock], terms: Rules, wanted: list[tuple[int, int]]
) -> None:
    item = uuid4()
    lines = [LineToAllocate(uuid4(), item, q, pack) for pack, q in wanted]

    result = allocate_shipment(lines, {item: stock}, terms)
    available = {row(x.lot_id, x.location_id): x.available for x in stock}

    assert all(n <= available[r] for r, n in picked_per_row(list(result.values())).items())
    assert all(
        result[ln.line_id].allocated + result[ln.line_id].unallocated == ln.quantity for ln in lines
    )
