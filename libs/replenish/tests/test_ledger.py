"""A period's figures read from the ledger by day: balances, sums and stock-out days."""

from __future__ import annotations

from datetime import date

from akiba_replenish.ledger import Day, figures_over, period_figures
from akiba_replenish.lines import LedgerFigures

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def _d(day: int, received: int = 0, consumed: int = 0, adjusted: int = 0, month: int = 3) -> Day:
    return Day(date(2026, month, day), received, consumed, adjusted, received - consumed + adjusted)


def test_a_period_without_movements_keeps_its_opening_balance_and_is_never_out() -> None:
    assert period_figures(40, [], *MARCH) == LedgerFigures(40, 0, 0, 40, 0)


def test_an_empty_shelf_all_period_is_out_every_day() -> None:
    assert period_figures(0, [], *MARCH).stockout_days == 31


def test_days_out_run_from_the_day_stock_ran_out_to_the_day_it_came_back() -> None:
    # 10 on hand; all issued on the 5th (out from the 5th's close), 50 received on the 15th.
    days = [_d(5, consumed=10), _d(15, received=50), _d(20, consumed=12, adjusted=-3)]
    figures = period_figures(10, days, *MARCH)
    assert figures == LedgerFigures(10, 50, -3, 35, stockout_days=10)  # 5th..14th


def test_the_balance_identity_holds_a_plus_b_minus_c_plus_d_is_e() -> None:
    days = [_d(2, received=7, consumed=3), _d(9, adjusted=4), _d(30, consumed=6)]
    f = period_figures(20, days, *MARCH)
    consumed = f.beginning_balance + f.received + f.losses_and_adjustments - f.stock_on_hand
    assert consumed == 9


def test_movements_outside_the_period_do_not_count_in_it() -> None:
    days = [_d(28, received=5, month=2), _d(1, received=5, month=4)]
    assert period_figures(0, days, *MARCH) == LedgerFigures(0, 0, 0, 0, 31)


def test_consecutive_periods_open_on_the_previous_close_even_across_a_gap() -> None:
    days = [_d(10, received=30, month=1), _d(15, consumed=5, month=2), _d(10, consumed=5)]
    january = (date(2026, 1, 1), date(2026, 1, 31))
    march = MARCH  # February is not a period of this (made-up) schedule
    first, second = figures_over(0, days, [january, march])
    assert (first.beginning_balance, first.stock_on_hand) == (0, 30)
    assert (second.beginning_balance, second.stock_on_hand) == (25, 20)
