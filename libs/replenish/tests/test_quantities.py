"""Golden vectors of every requisition formula, worked from the definitions by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from akiba_replenish import quantities as q


def test_stock_on_hand_and_consumption_are_the_same_balance_read_both_ways() -> None:
    # A 200, B 500, D -30 (a loss), C 420 → E 250; and back.
    assert q.stock_on_hand(200, 500, 420, -30) == 250
    assert q.consumed(200, 500, -30, 250) == 420
    assert q.total(200, 500) == 700


@pytest.mark.parametrize(
    ("c", "x", "months", "z", "n"),
    [
        (100, 10, 1, None, 150),  # 100 * 30/20
        (100, 0, 1, None, 100),  # never stocked out: N = C
        (100, 30, 1, None, 100),  # stocked out all month: N = C, not a division by zero
        (90, 15, 1, None, 180),  # half the month: double
        (50, 7, 1, None, 66),  # 50 * 30/23 = 65.2… → 66
        (300, 45, 3, None, 600),  # a quarter: 300 * 90/45
        (7, 9, 1, None, 10),  # exactly 10 (OpenLMIS's 1,000-digit division gives 11)
        (100, 10, 1, 5, 155),  # plus Z when the column is on and Z > 0
        (100, 0, 1, 5, 105),
        (100, 10, 1, 0, 150),
        (0, 10, 1, 5, 0),  # nothing consumed: 0, Z or not
    ],
)
def test_adjusted_consumption(c: int, x: int, months: int, z: int | None, n: int) -> None:
    assert q.adjusted_consumption(c, x, months, z) == n


@pytest.mark.parametrize(
    ("adjusted", "p"),
    [([100], 100), ([100, 151], 126), ([100, 150], 125), ([10, 11, 11], 11), ([1, 0, 0], 1)],
)
def test_average_consumption_rounds_the_mean_up(adjusted: list[int], p: int) -> None:
    assert q.average_consumption(adjusted) == p


def test_average_consumption_needs_this_period() -> None:
    with pytest.raises(ValueError):
        q.average_consumption([])


@pytest.mark.parametrize(
    ("p", "periods", "h"),
    [
        (126, Decimal("3"), 378),
        (125, Decimal("1.5"), 188),
        (5, Decimal("0.5"), 3),
        (3, Decimal("0.5"), 2),
    ],
)
def test_maximum_stock_rounds_half_up(p: int, periods: Decimal, h: int) -> None:
    assert q.maximum_stock(p, periods) == h


def test_calculated_and_ideal_stock_orders_never_go_below_zero() -> None:
    assert q.calculated_order(378, 250) == 128
    assert q.calculated_order(100, 250) == 0
    assert q.ideal_stock_order(400, 250) == 150
    assert q.ideal_stock_order(100, 250) == 0
    assert q.ideal_stock_order(None, 250) is None


@pytest.mark.parametrize(
    ("quantity", "pack", "threshold", "to_zero", "packs"),
    [
        (23, 10, 5, False, 2),  # remainder 3 is not above 5
        (26, 10, 5, False, 3),  # remainder 6 is
        (25, 10, 5, False, 2),  # at the threshold: not above it
        (4, 10, 5, False, 1),  # no whole pack: one, the product may not round to zero
        (4, 10, 5, True, 0),
        (6, 10, 7, True, 0),
        (6, 10, 7, False, 1),
        (26, 10, 4, False, 3),
        (26, 10, 7, False, 2),
        (30, 10, 0, False, 3),  # no remainder
        (0, 10, 5, False, 0),  # nothing asked
        (10, 0, 5, False, 0),  # no pack size
    ],
)
def test_packs_to_ship(quantity: int, pack: int, threshold: int, to_zero: bool, packs: int) -> None:
    assert q.packs_to_ship(quantity, pack, threshold, to_zero) == packs


def test_total_cost_is_packs_times_the_price_exactly() -> None:
    assert q.total_cost(3, Decimal("12.35")) == Decimal("37.05")
    assert q.total_cost(3, None) == Decimal(0)


@pytest.mark.parametrize(
    ("soh", "amc", "min_mos", "max_mos", "suggested"),
    [
        (1, Fraction(1), Fraction(5), Fraction(20), 19),  # MOS 1 ≤ min 5: up to 20 months
        (5, Fraction(1), Fraction(5), Fraction(20), 15),  # at the threshold: still ordered
        (6, Fraction(1), Fraction(5), Fraction(20), 0),  # above min: nothing
        (6, Fraction(1), Fraction(0), Fraction(20), 14),  # min 0: the threshold is max
        (10, Fraction(3, 2), Fraction(0), Fraction(10), 5),  # MOS 6 2/3: (10 - 6 2/3) * 1.5 = 5
        (10, Fraction(7, 3), Fraction(2), Fraction(6), 0),  # MOS 30/7 ≈ 4.29 is above min 2
        (3, Fraction(7, 3), Fraction(2), Fraction(6), 11),  # MOS 9/7: (6 - 9/7) * 7/3 = 11
        (10, Fraction(0), Fraction(5), Fraction(20), 0),  # nothing consumed
        (1, Fraction(1), Fraction(5), Fraction(0), 0),  # no maximum
        (0, Fraction(1, 3), Fraction(1), Fraction(3), 1),  # ceil(3 * 1/3) = 1
    ],
)
def test_suggested_internal_order(
    soh: int, amc: Fraction, min_mos: Fraction, max_mos: Fraction, suggested: int
) -> None:
    assert q.suggested_internal_order(soh, amc, min_mos, max_mos) == suggested
