"""Stock alerts: what is active for an item, its precedence, and when alerts start or end."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from akiba_stock.alerts import (
    ActiveAlert,
    AlertKind,
    BatchState,
    ItemState,
    Thresholds,
    evaluate,
    transitions,
)

TODAY = date(2026, 6, 1)
STORE, ITEM, BATCH = uuid4(), uuid4(), uuid4()
DEFAULTS = Thresholds()


def _state(
    soh: int, amc: str | None = "100", consumed: int = 300, *batches: BatchState
) -> ItemState:
    return ItemState(STORE, ITEM, soh, None if amc is None else Decimal(amc), consumed, batches)


def _kinds(state: ItemState, thresholds: Thresholds = DEFAULTS) -> set[AlertKind]:
    return {a.kind for a in evaluate(state, thresholds, TODAY)}


def _expiring(days: int, soh: int = 10) -> BatchState:
    return BatchState(BATCH, TODAY + timedelta(days=days), soh)


def test_default_thresholds_are_3_to_6_months_and_90_days_of_expiry_warning() -> None:
    assert (DEFAULTS.min_mos, DEFAULTS.max_mos, DEFAULTS.expiring_within_days) == (
        Decimal(3),
        Decimal(6),
        90,
    )


def test_thresholds_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="out of order"):
        Thresholds(min_mos=Decimal(7), max_mos=Decimal(6))


@pytest.mark.parametrize(
    ("soh", "expected"),
    [(299, {AlertKind.LOW_STOCK}), (300, set()), (600, set()), (601, {AlertKind.OVERSTOCK})],
)
def test_mos_is_compared_with_the_programs_minimum_and_maximum(
    soh: int, expected: set[AlertKind]
) -> None:
    assert _kinds(_state(soh)) == expected


def test_a_programs_own_thresholds_replace_the_defaults() -> None:
    assert _kinds(_state(450), Thresholds(min_mos=Decimal(5), max_mos=Decimal(9))) == {
        AlertKind.LOW_STOCK
    }


def test_no_stock_with_consumption_in_the_window_is_out_of_stock_not_low_stock() -> None:
    assert _kinds(_state(0)) == {AlertKind.OUT_OF_STOCK}


def test_no_stock_and_no_consumption_raises_nothing() -> None:
    assert _kinds(_state(0, "0", 0)) == set()


def test_stock_with_no_consumption_has_no_mos_and_raises_no_level_alert() -> None:
    assert _kinds(_state(1_000_000, None, 0)) == set()
    assert _kinds(_state(1_000_000, "0.00", 0)) == set()


def test_negative_stock_outranks_out_of_stock() -> None:
    assert _kinds(_state(-3)) == {AlertKind.NEGATIVE_STOCK}


def test_a_batch_expiring_within_the_warning_period_is_expiring_soon() -> None:
    alerts = evaluate(_state(450, "100", 300, _expiring(90)), DEFAULTS, TODAY)
    assert ActiveAlert(AlertKind.EXPIRING_SOON, STORE, ITEM, BATCH) in alerts
    assert _kinds(_state(450, "100", 300, _expiring(91))) == set()


def test_a_batch_is_usable_on_its_expiry_date_and_expired_the_day_after() -> None:
    assert _kinds(_state(450, "100", 300, _expiring(0))) == {AlertKind.EXPIRING_SOON}
    assert _kinds(_state(450, "100", 300, _expiring(-1))) == {AlertKind.EXPIRED}


def test_empty_batches_and_batches_without_expiry_raise_no_expiry_alert() -> None:
    no_expiry = BatchState(uuid4(), None, 10)
    assert _kinds(_state(450, "100", 300, _expiring(-1, soh=0), no_expiry)) == set()


def test_item_alerts_name_no_batch_and_batch_alerts_name_theirs() -> None:
    alerts = evaluate(_state(0, "100", 300, _expiring(5, soh=0), _expiring(5)), DEFAULTS, TODAY)
    assert alerts == {
        ActiveAlert(AlertKind.OUT_OF_STOCK, STORE, ITEM),
        ActiveAlert(AlertKind.EXPIRING_SOON, STORE, ITEM, BATCH),
    }


def test_an_alert_starts_when_it_appears_and_ends_when_it_goes() -> None:
    low = evaluate(_state(100), DEFAULTS, TODAY)
    out = evaluate(_state(0), DEFAULTS, TODAY)
    assert transitions(set(), low) == (low, set())
    assert transitions(low, out) == (out, low)
    assert transitions(out, set()) == (set(), out)


def test_a_changing_mos_within_the_same_alert_is_not_a_transition() -> None:
    before = evaluate(_state(250), DEFAULTS, TODAY)
    after = evaluate(_state(120), DEFAULTS, TODAY)
    assert transitions(before, after) == (set(), set())


states = st.builds(
    _state,
    st.integers(-5, 1000),
    st.sampled_from([None, "0.00", "50", "100", "338.33"]),
    st.integers(0, 5),
    st.builds(
        BatchState,
        st.just(BATCH),
        st.none() | st.dates(TODAY - timedelta(days=9)),
        st.integers(0, 9),
    ),
)


@given(states)
def test_evaluating_the_same_state_twice_yields_no_transitions(state: ItemState) -> None:
    first, second = evaluate(state, DEFAULTS, TODAY), evaluate(state, DEFAULTS, TODAY)
    assert transitions(first, second) == (set(), set())


@given(st.lists(states, max_size=20))
def test_over_any_history_each_alert_starts_and_ends_alternately(history: list[ItemState]) -> None:
    active: set[ActiveAlert] = set()
    open_now: set[ActiveAlert] = set()
    for state in history:
        after = evaluate(state, DEFAULTS, TODAY)
        started, ended = transitions(active, after)
        assert not started & open_now and ended <= open_now
        open_now = (open_now | started) - ended
        active = after
    assert open_now == active


@given(states)
def test_at_most_one_stock_level_alert_is_active_per_item(state: ItemState) -> None:
    level = {AlertKind.LOW_STOCK, AlertKind.OVERSTOCK, AlertKind.OUT_OF_STOCK}
    level.add(AlertKind.NEGATIVE_STOCK)
    assert len(_kinds(state) & level) <= 1
