"""FEFO allocation of outbound shipment lines: golden vectors worked out from the rules."""

from __future__ import annotations

import random
from datetime import date, timedelta
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import pytest

from akiba_fulfillment.domain.allocation import (
    Allocation,
    LineToAllocate,
    LotStock,
    Rules,
    SkipReason,
    allocate,
    allocate_shipment,
)
from akiba_fulfillment.domain.errors import InvalidAllocation

ON = date(2025, 12, 1)
TODAY = Rules(ON, ON)
JAN, MAR = date(2026, 1, 31), date(2026, 3, 31)
CODES: dict[UUID, str] = {}


def lot(code: str, available: int, expiry: date | None = None, **changes: object) -> LotStock:
    lot_id = uuid5(NAMESPACE_URL, f"lot:{code}")
    CODES[lot_id] = code
    return LotStock(lot_id, code, expiry, available, **changes)  # type: ignore[arg-type]


def picks(result: Allocation) -> list[tuple[str, int]]:
    return [(CODES[p.lot_id], p.quantity) for p in result.picks]


def skips(result: Allocation) -> list[tuple[str, SkipReason]]:
    return [(CODES[s.lot_id], s.reason) for s in result.skipped]


def test_the_issue_example_takes_january_then_march_then_the_lot_without_expiry() -> None:
    lots = [lot("A", 10, MAR), lot("B", 25, JAN), lot("C", 40, None)]

    result = allocate(50, 5, lots, TODAY)

    assert picks(result) == [("B", 25), ("A", 10), ("C", 15)]
    assert (result.allocated, result.unallocated, result.skipped) == (50, 0, ())


def test_the_order_of_the_lots_given_does_not_change_the_picks() -> None:
    lots = [lot("A", 10, MAR), lot("B", 25, JAN), lot("C", 40, None), lot("D", 5, JAN)]
    expected = allocate(60, 5, lots, TODAY)

    for seed in range(10):
        random.Random(seed).shuffle(lots)
        assert allocate(60, 5, lots, TODAY) == expected


def test_lots_with_the_same_expiry_go_smaller_available_first() -> None:
    lots = [lot("A", 30, JAN), lot("B", 10, JAN)]

    assert picks(allocate(20, 5, lots, TODAY)) == [("B", 10), ("A", 10)]


def test_lots_with_the_same_expiry_and_available_go_by_lot_code() -> None:
    lots = [lot("Z9", 10, JAN), lot("K2", 10, JAN), lot("M1", 10, JAN)]

    assert picks(allocate(15, 5, lots, TODAY)) == [("K2", 10), ("M1", 5)]


def test_lots_without_expiry_tie_by_available_then_lot_code_too() -> None:
    lots = [lot("B", 10), lot("A", 10), lot("C", 5)]

    assert picks(allocate(25, 5, lots, TODAY)) == [("C", 5), ("A", 10), ("B", 10)]


def test_a_lot_gives_only_whole_packs_and_the_next_lot_makes_up_the_rest() -> None:
    lots = [lot("A", 12, JAN), lot("B", 40, MAR)]

    assert picks(allocate(20, 5, lots, TODAY)) == [("A", 10), ("B", 10)]


def test_a_lot_holding_less_than_a_pack_gives_nothing() -> None:
    lots = [lot("A", 4, JAN), lot("B", 10, MAR)]

    result = allocate(10, 5, lots, TODAY)

    assert picks(result) == [("B", 10)]
    assert result.skipped == ()


def test_packs_are_never_split_across_lots_so_their_loose_units_stay_unallocated() -> None:
    result = allocate(10, 5, [lot("A", 7, JAN), lot("B", 3, MAR)], TODAY)

    assert (picks(result), result.unallocated) == ([("A", 5)], 5)


def test_a_part_pack_in_the_wanted_quantity_is_not_shipped_but_left_unallocated() -> None:
    result = allocate(52, 5, [lot("A", 100, JAN)], TODAY)

    assert (picks(result), result.unallocated) == ([("A", 50)], 2)


def test_less_than_one_pack_wanted_allocates_nothing() -> None:
    result = allocate(4, 5, [lot("A", 100, JAN)], TODAY)

    assert (result.picks, result.unallocated) == ((), 4)


def test_a_lot_on_hold_is_skipped_and_said_to_be() -> None:
    lots = [lot("A", 25, JAN, on_hold=True), lot("B", 25, MAR)]

    result = allocate(20, 5, lots, TODAY)

    assert picks(result) == [("B", 20)]
    assert skips(result) == [("A", SkipReason.ON_HOLD)]


def test_a_lot_is_usable_on_its_expiry_day_and_expired_the_day_after() -> None:
    lots = [lot("Y", 10, ON - timedelta(days=1)), lot("T", 10, ON), lot("N", 50, MAR)]

    result = allocate(20, 5, lots, TODAY)

    assert picks(result) == [("T", 10), ("N", 10)]
    assert skips(result) == [("Y", SkipReason.EXPIRED)]


def test_a_lot_expiring_exactly_at_the_minimum_shelf_life_at_arrival_is_taken() -> None:
    rules = Rules(ON, ON + timedelta(days=10), min_shelf_life_days=30)
    at_minimum = ON + timedelta(days=40)

    result = allocate(10, 5, [lot("A", 10, at_minimum), lot("B", 10)], rules)

    assert (picks(result), result.skipped) == ([("A", 10)], ())


def test_a_lot_expiring_the_day_before_the_minimum_shelf_life_is_skipped_as_short() -> None:
    rules = Rules(ON, ON + timedelta(days=10), min_shelf_life_days=30)
    a_day_short = ON + timedelta(days=39)

    result = allocate(10, 5, [lot("A", 10, a_day_short), lot("B", 10)], rules)

    assert picks(result) == [("B", 10)]
    assert skips(result) == [("A", SkipReason.SHORT_SHELF_LIFE)]


def test_a_lot_good_today_but_expired_on_arrival_is_short_of_shelf_life() -> None:
    rules = Rules.with_lead_time(ON, lead_time_days=7)

    result = allocate(10, 5, [lot("A", 10, ON + timedelta(days=6)), lot("B", 10)], rules)

    assert skips(result) == [("A", SkipReason.SHORT_SHELF_LIFE)]


def test_the_lead_time_sets_the_arrival_day() -> None:
    rules = Rules.with_lead_time(ON, 14, min_shelf_life_days=30, warning_days=60)

    assert rules == Rules(ON, ON + timedelta(days=14), 30, 60)
    assert rules.shortest_expiry == ON + timedelta(days=44)


def test_lots_within_the_warning_window_after_the_minimum_are_taken_but_flagged() -> None:
    rules = Rules(ON, ON, min_shelf_life_days=30, warning_days=60)
    last_flagged, first_clear = ON + timedelta(days=89), ON + timedelta(days=90)
    lots = [lot("W", 10, last_flagged), lot("C", 10, first_clear), lot("N", 10)]

    result = allocate(30, 5, lots, rules)

    assert [(CODES[p.lot_id], p.expiring_soon) for p in result.picks] == [
        ("W", True),
        ("C", False),
        ("N", False),
    ]


def test_no_warning_window_flags_nothing_even_at_the_minimum() -> None:
    rules = Rules(ON, ON, min_shelf_life_days=30)

    result = allocate(10, 5, [lot("A", 10, ON + timedelta(days=30))], rules)

    assert [p.expiring_soon for p in result.picks] == [False]


def test_an_expired_lot_on_hold_is_reported_expired_as_lifting_the_hold_would_not_help() -> None:
    rules = Rules(ON, ON, min_shelf_life_days=90)
    lots = [lot("E", 10, ON - timedelta(days=1), on_hold=True), lot("S", 10, JAN, on_hold=True)]

    result = allocate(10, 5, lots, rules)

    assert skips(result) == [("E", SkipReason.EXPIRED), ("S", SkipReason.SHORT_SHELF_LIFE)]


def test_nothing_allocatable_leaves_the_whole_line_unallocated_and_explains_every_lot() -> None:
    rules = Rules(ON, ON, min_shelf_life_days=90)
    lots = [lot("H", 50, MAR, on_hold=True), lot("X", 50, ON - timedelta(days=3)), lot("S", 5, JAN)]

    result = allocate(40, 5, lots, rules)

    assert (result.picks, result.unallocated) == ((), 40)
    assert skips(result) == [
        ("X", SkipReason.EXPIRED),
        ("S", SkipReason.SHORT_SHELF_LIFE),
        ("H", SkipReason.ON_HOLD),
    ]


def test_lots_with_nothing_available_are_neither_picked_nor_explained() -> None:
    result = allocate(10, 5, [lot("Z", 0, JAN, on_hold=True), lot("R", -5, JAN)], TODAY)

    assert (result.picks, result.skipped, result.unallocated) == ((), (), 10)


def test_more_wanted_than_all_stock_takes_every_whole_pack_and_leaves_the_rest() -> None:
    lots = [lot("A", 10, MAR), lot("B", 27, JAN), lot("C", 40)]

    result = allocate(100, 5, lots, TODAY)

    assert picks(result) == [("B", 25), ("A", 10), ("C", 40)]
    assert result.unallocated == 25


def test_nothing_wanted_picks_nothing() -> None:
    assert allocate(0, 5, [lot("A", 10, JAN)], TODAY) == Allocation((), 0, ())


def test_each_location_of_a_lot_is_a_pick_of_its_own_smaller_first() -> None:
    shelf, floor = uuid4(), uuid4()
    lots = [lot("A", 20, JAN, location_id=shelf), lot("A", 10, JAN, location_id=floor)]

    result = allocate(25, 5, lots, TODAY)

    assert [(p.location_id, p.quantity) for p in result.picks] == [(floor, 10), (shelf, 15)]


@pytest.mark.parametrize(("quantity", "pack_size"), [(-1, 5), (10, 0), (10, -5)])
def test_a_negative_quantity_or_a_pack_size_below_one_is_refused(
    quantity: int, pack_size: int
) -> None:
    with pytest.raises(InvalidAllocation):
        allocate(quantity, pack_size, [lot("A", 10, JAN)], TODAY)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Rules(ON, ON - timedelta(days=1)),
        lambda: Rules(ON, ON, min_shelf_life_days=-1),
        lambda: Rules(ON, ON, warning_days=-1),
        lambda: Rules.with_lead_time(ON, -1),
    ],
)
def test_arriving_before_the_allocation_day_or_negative_days_are_refused(make: object) -> None:
    with pytest.raises(InvalidAllocation):
        make()  # type: ignore[operator]


def line(item_id: UUID, quantity: int, pack_size: int = 5) -> LineToAllocate:
    return LineToAllocate(uuid4(), item_id, quantity, pack_size)


def test_two_lines_of_one_item_draw_down_the_same_stock_in_turn() -> None:
    item = uuid4()
    first, second = line(item, 30), line(item, 30)
    stock = {item: [lot("A", 10, MAR), lot("B", 25, JAN), lot("C", 10)]}

    result = allocate_shipment([first, second], stock, TODAY)

    assert picks(result[first.line_id]) == [("B", 25), ("A", 5)]
    assert picks(result[second.line_id]) == [("A", 5), ("C", 10)]
    assert (result[first.line_id].unallocated, result[second.line_id].unallocated) == (0, 15)


def test_each_line_of_a_shipment_is_allocated_from_its_own_items_lots() -> None:
    pills, syrup, unknown = uuid4(), uuid4(), uuid4()
    lines = [line(pills, 20), line(syrup, 6, pack_size=3), line(unknown, 10)]
    stock = {pills: [lot("P", 50, JAN)], syrup: [lot("S", 7, MAR)]}

    result = allocate_shipment(lines, stock, TODAY)

    assert [picks(result[ln.line_id]) for ln in lines] == [[("P", 20)], [("S", 6)], []]
    assert result[lines[2].line_id].unallocated == 10


def test_a_shipment_naming_one_line_twice_is_refused() -> None:
    twice = line(uuid4(), 10)

    with pytest.raises(InvalidAllocation, match="twice"):
        allocate_shipment([twice, twice], {}, TODAY)
