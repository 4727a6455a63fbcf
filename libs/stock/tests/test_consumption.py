"""AMC and MOS: exact decimals, look-back windows, stock-out days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from akiba_stock.consumption import (
    MONTH_DAYS,
    LookBack,
    amc,
    amc_from_card,
    consumed,
    months_of_stock,
    stockout_days,
    to_cents,
)
from akiba_stock.ledger import LedgerEntry, LedgerKind, StockLine, running_balances

END = datetime(2026, 4, 1, tzinfo=UTC)
THREE_MONTHS = LookBack(END)
LINE = StockLine(uuid4(), uuid4(), uuid4(), None)


def _entry(kind: LedgerKind, quantity: int, at: datetime, seq: int = 1) -> LedgerEntry:
    reason = uuid4() if kind.startswith("adjustment") else None
    return LedgerEntry(LINE, kind, quantity, at, seq, reason_id=reason)


def test_a_month_is_a_twelfth_of_365_and_a_quarter_days() -> None:
    assert Decimal("30.4375") == MONTH_DAYS


def test_the_default_look_back_is_three_months_ending_at_the_given_moment() -> None:
    assert (THREE_MONTHS.months, THREE_MONTHS.days) == (Decimal(3), Decimal("91.3125"))
    assert THREE_MONTHS.start == datetime(2025, 12, 30, 16, 30, tzinfo=UTC)


def test_the_whole_days_of_a_window_are_those_entirely_inside_it() -> None:
    assert THREE_MONTHS.whole_days() == (date(2025, 12, 31), date(2026, 3, 31))
    midnight_start = LookBack(datetime(2026, 1, 17, tzinfo=UTC), Decimal(16))
    assert midnight_start.days == 487
    assert midnight_start.whole_days()[0] == midnight_start.start.date()


def test_a_look_back_window_needs_a_positive_length() -> None:
    with pytest.raises(ValueError, match="positive"):
        LookBack(END, Decimal(0))


def test_1015_units_issued_in_the_last_3_months_give_an_amc_of_338_33() -> None:
    issues = [
        _entry(LedgerKind.ISSUE, -400, END - timedelta(days=80), 1),
        _entry(LedgerKind.ISSUE, -315, END - timedelta(days=40), 2),
        _entry(LedgerKind.ISSUE, -300, END - timedelta(days=1), 3),
    ]
    assert consumed(issues, THREE_MONTHS) == 1015
    assert amc(1015, THREE_MONTHS) == Decimal("338.33")


def test_consumption_is_issues_and_outbound_shipments_only() -> None:
    at = END - timedelta(days=5)
    movements = [
        _entry(LedgerKind.ISSUE, -10, at),
        _entry(LedgerKind.SHIPMENT_OUT, -20, at),
        _entry(LedgerKind.TRANSFER_OUT, -40, at),
        _entry(LedgerKind.ADJUSTMENT_NEGATIVE, -80, at),
        _entry(LedgerKind.LOCATION_MOVE_OUT, -160, at),
        _entry(LedgerKind.RECEIPT, 320, at),
    ]
    assert consumed(movements, THREE_MONTHS) == 30


def test_the_window_includes_its_start_and_excludes_its_end() -> None:
    movements = [
        _entry(LedgerKind.ISSUE, -1, THREE_MONTHS.start - timedelta(seconds=1)),
        _entry(LedgerKind.ISSUE, -2, THREE_MONTHS.start),
        _entry(LedgerKind.ISSUE, -4, END - timedelta(seconds=1)),
        _entry(LedgerKind.ISSUE, -8, END),
    ]
    assert consumed(movements, THREE_MONTHS) == 6


def test_stock_out_days_scale_consumption_up_by_n_over_n_minus_the_days_out() -> None:
    # 1015 x 91.3125 / (61.3125 x 3) = 503.8786...
    assert amc(1015, THREE_MONTHS, stockout_days=30) == Decimal("503.88")


def test_amc_is_undefined_when_every_day_of_the_window_was_a_stock_out() -> None:
    assert amc(0, THREE_MONTHS, stockout_days=92) is None
    assert amc(0, LookBack(END, Decimal(16)), stockout_days=487) is None
    assert amc(10, THREE_MONTHS, stockout_days=91) is not None


def test_amc_rounds_half_up_to_the_cent() -> None:
    assert amc(1, LookBack(END, Decimal(8))) == Decimal("0.13")  # 0.125, not banker's 0.12


def test_no_consumption_gives_an_amc_of_zero() -> None:
    assert amc(0, THREE_MONTHS) == Decimal("0.00")


def test_negative_stock_out_days_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        amc(1, THREE_MONTHS, stockout_days=-1)


def test_mos_is_soh_over_amc_to_the_cent() -> None:
    assert months_of_stock(1000, Decimal("338.33")) == Decimal("2.96")
    assert months_of_stock(1, Decimal(8)) == Decimal("0.13")


def test_mos_is_undefined_when_amc_is_zero_or_unknown() -> None:
    assert months_of_stock(500, Decimal("0.00")) is None
    assert months_of_stock(500, None) is None


def test_negative_soh_gives_zero_months_of_stock() -> None:
    assert months_of_stock(-7, Decimal(10)) == Decimal("0.00")


def _card() -> list[LedgerEntry]:
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    return [
        _entry(LedgerKind.RECEIPT, 10, day, 1),
        _entry(LedgerKind.ISSUE, -10, day + timedelta(days=2), 2),
        _entry(LedgerKind.RECEIPT, 5, day + timedelta(days=5), 3),
    ]


def test_stock_out_days_are_the_days_that_closed_with_nothing_on_hand() -> None:
    rows = running_balances(_card())
    assert stockout_days(rows, date(2026, 3, 1), date(2026, 3, 7)) == 3
    assert stockout_days(rows, date(2026, 2, 27), date(2026, 3, 2)) == 2
    assert stockout_days(rows, date(2026, 2, 27), date(2026, 2, 28), opening=4) == 0


def test_a_day_that_closed_negative_counts_as_a_stock_out() -> None:
    rows = running_balances(_card(), opening=-20)
    assert stockout_days(rows, date(2026, 3, 1), date(2026, 3, 7)) == 7


def test_amc_from_a_card_adjusts_for_the_days_it_was_out_of_stock() -> None:
    window = LookBack(datetime(2026, 3, 8, tzinfo=UTC), Decimal(16))
    rows = running_balances(_card())
    # 10 consumed in 487 days, in stock only on 1-2 and 6-7 March: 483 days out.
    expected = to_cents(Fraction(10) * 487 / ((487 - 483) * 16))
    assert amc_from_card(rows, window) == expected == Decimal("76.09")


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=6))
def test_rounding_an_exact_fraction_agrees_with_decimal_half_up(value: Decimal) -> None:
    assert to_cents(Fraction(value)) == value.quantize(Decimal("0.01"), ROUND_HALF_UP)


@given(st.integers(0, 10**7), st.integers(0, 91))
def test_more_stock_out_days_never_lower_the_amc(units: int, days_out: int) -> None:
    base, adjusted = amc(units, THREE_MONTHS), amc(units, THREE_MONTHS, days_out)
    assert base is not None and adjusted is not None and adjusted >= base
