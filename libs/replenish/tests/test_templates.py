"""Requisition templates are validated as a whole: every problem named at once."""

from __future__ import annotations

import pytest

from akiba_replenish.templates import Column, InvalidTemplate, Source, Template, check, problems

U, C, K, R = Source.USER_INPUT, Source.CALCULATED, Source.STOCK_CARDS, Source.REFERENCE_DATA

STOCK_BASED = {
    "orderable_code": Column(R),
    "orderable_name": Column(R),
    "beginning_balance": Column(K),
    "total_received_quantity": Column(K),
    "total_consumed_quantity": Column(K),
    "total_losses_and_adjustments": Column(K),
    "stock_on_hand": Column(K),
    "total_stockout_days": Column(K),
    "adjusted_consumption": Column(C),
    "average_consumption": Column(K),  # from the ledger's history of adjusted consumption
    "maximum_stock_quantity": Column(C),
    "calculated_order_quantity": Column(C),
    "requested_quantity": Column(U),
    "requested_quantity_explanation": Column(U),
    "approved_quantity": Column(U),
    "remarks": Column(U),
    "price_per_pack": Column(R),
    "packs_to_ship": Column(C),
    "total_cost": Column(C),
}


def _with(**changes: Column | None) -> dict[str, Column]:
    columns = {**STOCK_BASED, **{k: v for k, v in changes.items() if v is not None}}
    return {k: v for k, v in columns.items() if changes.get(k, v) is not None}


def test_the_demo_stock_based_template_is_valid() -> None:
    template = Template(STOCK_BASED, periods_to_average=3, stock_based=True)
    assert problems(template) == []
    check(template)


def test_a_calculated_column_needs_its_inputs_in_the_template() -> None:
    columns = {k: v for k, v in STOCK_BASED.items() if k != "average_consumption"}
    found = problems(Template(columns, periods_to_average=3, stock_based=True))
    assert found == [
        "maximum_stock_quantity is calculated from average_consumption, which the template lacks"
    ]


def test_every_problem_is_named_at_once() -> None:
    columns = _with(
        stock_on_hand=Column(C),  # calculated…
        total_consumed_quantity=Column(C),  # …both at once, and not from the ledger
        requested_quantity_explanation=Column(U, displayed=False),
        adjusted_consumption=Column(U),  # N is only ever calculated
    )
    with pytest.raises(InvalidTemplate) as refused:
        check(Template(columns, periods_to_average=1, stock_based=True))
    assert refused.value.problems == [
        "adjusted_consumption cannot take its value from USER_INPUT",
        "consumed quantity and stock on hand cannot both be calculated",
        "a displayed requested quantity needs its explanation displayed",
        "the number of periods to average must be at least 2",
        "total_consumed_quantity comes from the stock ledger in a stock-based template",
        "stock_on_hand comes from the stock ledger in a stock-based template",
    ]


def test_a_hand_entered_input_of_a_calculation_must_be_displayed() -> None:
    columns = {
        "beginning_balance": Column(U, displayed=False),
        "total_received_quantity": Column(U),
        "total_consumed_quantity": Column(U),
        "total_losses_and_adjustments": Column(U),
        "stock_on_hand": Column(C),
        "calculated_order_quantity": Column(C),
        "maximum_stock_quantity": Column(C),
        "average_consumption": Column(C),
        "adjusted_consumption": Column(C),
        "total_stockout_days": Column(U),
    }
    assert problems(Template(columns, periods_to_average=2)) == [
        "beginning_balance is entered by hand, so it must be displayed",
        "beginning_balance is entered by hand to calculate stock_on_hand, so it must be displayed",
    ]


def test_average_consumption_needs_its_periods_and_consumption_columns() -> None:
    columns = {"average_consumption": Column(C), "requested_quantity": Column(U),
               "requested_quantity_explanation": Column(U)}  # fmt: skip
    assert problems(Template(columns)) == [
        "average_consumption is calculated from adjusted_consumption, which the template lacks",
        "average_consumption needs total_consumed_quantity in the template",
        "average_consumption needs total_stockout_days in the template",
        "average consumption needs the number of periods to average",
    ]


def test_a_report_only_template_needs_no_quantity_to_order() -> None:
    columns = {"stock_on_hand": Column(U), "orderable_code": Column(R)}
    assert problems(Template(columns, report_only=True)) == []
    assert problems(Template(columns)) == [
        "a requisition needs the requested or the calculated order quantity"
    ]


def test_additional_quantity_needs_adjusted_consumption_and_unknown_columns_are_named() -> None:
    columns = _with(
        adjusted_consumption=None, additional_quantity_required=Column(U), colour=Column(U)
    )
    found = problems(Template(columns, periods_to_average=3, stock_based=True))
    assert "colour is not a requisition column" in found
    assert "additional quantity required needs adjusted consumption in the template" in found
