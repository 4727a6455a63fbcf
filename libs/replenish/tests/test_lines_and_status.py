"""A whole line from ledger figures, and what each status allows."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from akiba_replenish import LedgerFigures, LineRules, RequisitionStatus, quantify

EPI_VACCINE = LineRules(
    months_in_period=1,
    max_periods_of_stock=Decimal("3"),
    pack_size=10,
    rounding_threshold=5,
    round_to_zero=False,
    price_per_pack=Decimal("4.50"),
    ideal_stock_amount=500,
)


def test_a_line_is_computed_whole_from_what_the_ledger_says() -> None:
    # Began with 120, received 400, lost 20, ends with 400: consumed 100, out of stock 10 days.
    figures = LedgerFigures(120, 400, -20, 400, stockout_days=10)
    line = quantify(figures, EPI_VACCINE, previous_adjusted=[151])
    assert (line.consumed, line.total) == (100, 520)
    assert (line.adjusted_consumption, line.average_consumption) == (150, 151)  # ceil(301/2)
    assert line.maximum_stock == 453  # 151 * 3
    assert line.calculated_order == 53  # 453 - 400
    assert line.ideal_stock_order == 100  # 500 - 400
    assert line.packs_to_ship == 5  # 53 = 5 packs + 3, not above the threshold of 5
    assert line.total_cost == Decimal("22.50")


def test_additional_quantity_counts_only_where_the_template_has_the_column() -> None:
    figures = LedgerFigures(0, 100, 0, 0, stockout_days=0)
    without = quantify(figures, EPI_VACCINE, additional=25)
    with_column = replace(EPI_VACCINE, additional_quantity_column=True)
    assert quantify(figures, with_column, additional=25).adjusted_consumption == 125
    assert without.adjusted_consumption == 100


@pytest.mark.parametrize(
    ("status", "rank", "editable", "approvable", "deletable"),
    [
        (RequisitionStatus.INITIATED, 1, True, False, True),
        (RequisitionStatus.REJECTED, 1, True, False, True),
        (RequisitionStatus.SUBMITTED, 2, True, False, False),
        (RequisitionStatus.AUTHORIZED, 3, True, True, False),
        (RequisitionStatus.IN_APPROVAL, 3, True, True, False),
        (RequisitionStatus.APPROVED, 4, False, False, False),
        (RequisitionStatus.RELEASED, 5, False, False, False),
        (RequisitionStatus.RELEASED_WITHOUT_ORDER, 6, False, False, False),
        (RequisitionStatus.SKIPPED, -1, False, False, True),
    ],
)
def test_each_status_allows_what_its_rank_says(
    status: RequisitionStatus, rank: int, editable: bool, approvable: bool, deletable: bool
) -> None:
    assert (status.rank, status.editable, status.approvable, status.deletable) == (
        rank, editable, approvable, deletable,
    )  # fmt: skip
    assert status.approved_quantities_editable == approvable
