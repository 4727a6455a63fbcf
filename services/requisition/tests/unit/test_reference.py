"""Requisition's reference records: their own rules and the rules between them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from akiba_replenish import StaleVersion
from akiba_replenish.templates import Column, InvalidTemplate, Source
from akiba_requisition.domain import reference as ref
from akiba_requisition.domain.errors import DuplicateReference, InvalidReferenceData

SCHEDULE = uuid4()


def _period(start: date, end: date, schedule: UUID = SCHEDULE) -> ref.Period:
    return ref.Period(uuid4(), schedule, f"{start}", start, end)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), 1),
        (date(2026, 2, 1), date(2026, 2, 28), 1),
        (date(2026, 1, 1), date(2026, 3, 31), 3),  # a quarter: two months and 30 days
        (date(2026, 1, 1), date(2026, 12, 31), 12),
        (date(2016, 10, 11), date(2016, 11, 30), 2),  # OpenLMIS's own example
        (date(2016, 1, 1), date(2016, 1, 20), 1),
        (date(2026, 1, 1), date(2026, 1, 1), 1),
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2026, 1, 1), date(2026, 2, 10), 1),  # 1 month 9 days
        (date(2026, 1, 1), date(2026, 2, 20), 2),  # 1 month 19 days
    ],
)
def test_a_period_counts_its_months_as_openlmis_does(start: date, end: date, months: int) -> None:
    assert _period(start, end).months == months


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidReferenceData, match="cannot end before it starts"):
        _period(date(2026, 3, 2), date(2026, 3, 1))


def test_a_period_sharing_a_day_with_another_of_its_schedule_is_refused_naming_it() -> None:
    march = _period(date(2026, 3, 1), date(2026, 3, 31))
    late = _period(date(2026, 3, 31), date(2026, 4, 30))
    with pytest.raises(InvalidReferenceData, match=r"overlaps .*2026-03-01 \(2026-03-01 to"):
        ref.check_period_fits(late, [march])


def test_adjacent_periods_other_schedules_and_the_period_itself_do_not_overlap() -> None:
    march = _period(date(2026, 3, 1), date(2026, 3, 31))
    april = _period(date(2026, 4, 1), date(2026, 4, 30))
    elsewhere = _period(date(2026, 3, 1), date(2026, 3, 31), uuid4())
    ref.check_period_fits(april, [march, elsewhere, april])
    ref.check_period_fits(march, [march])


def test_an_approved_product_keeps_its_minimum_at_most_its_maximum() -> None:
    with pytest.raises(InvalidReferenceData, match="cannot exceed the maximum"):
        ref.ApprovedProduct(uuid4(), uuid4(), uuid4(), Decimal(1), Decimal(2))
    ref.ApprovedProduct(uuid4(), uuid4(), uuid4(), Decimal(3), Decimal(3), Decimal("0.5"))


@pytest.mark.parametrize("bad", [Decimal(-1), Decimal("NaN"), Decimal("Infinity")])
def test_periods_of_stock_and_prices_are_numbers_of_zero_or_more(bad: Decimal) -> None:
    with pytest.raises(InvalidReferenceData, match="max_periods_of_stock"):
        ref.ApprovedProduct(uuid4(), uuid4(), uuid4(), bad)
    with pytest.raises(InvalidReferenceData, match="price_per_pack"):
        ref.ProgramOrderable(uuid4(), uuid4(), price_per_pack=bad)


@pytest.mark.parametrize("name", ["", " EPI", "EPI "])
def test_codes_and_names_are_trimmed_text(name: str) -> None:
    with pytest.raises(InvalidReferenceData, match="code must be non-empty"):
        ref.Program(uuid4(), name, "Immunization")


def test_an_ideal_stock_amount_is_never_negative() -> None:
    with pytest.raises(InvalidReferenceData, match="amount"):
        ref.IdealStockAmount(uuid4(), uuid4(), uuid4(), -1)


def test_a_load_that_sets_a_key_twice_is_refused_naming_it() -> None:
    a = ref.IdealStockAmount(uuid4(), uuid4(), uuid4(), 10)
    b = ref.IdealStockAmount(uuid4(), uuid4(), uuid4(), 10)
    with pytest.raises(InvalidReferenceData, match=str(a.facility_id)):
        ref.check_amounts_unique([a, b, ref.IdealStockAmount(*a.key, 20)])
    ref.check_amounts_unique([a, b])


def _template(
    *facility_types: UUID, program: UUID | None = None, active: bool = True
) -> ref.RequisitionTemplate:
    columns = {
        "requested_quantity": Column(Source.USER_INPUT),
        "requested_quantity_explanation": Column(Source.USER_INPUT),
    }
    program_id = program or PROGRAM.program_id
    return ref.RequisitionTemplate(uuid4(), program_id, "t", columns, facility_types, active=active)


PROGRAM = ref.Program(uuid4(), "EPI", "Immunization")


def test_a_template_with_problems_is_refused_naming_every_one() -> None:
    columns = {
        "stock_on_hand": Column(Source.CALCULATED),
        "total_consumed_quantity": Column(Source.CALCULATED),
        "made_up": Column(Source.USER_INPUT),
    }
    template = ref.RequisitionTemplate(uuid4(), PROGRAM.program_id, "bad", columns)
    with pytest.raises(InvalidTemplate) as refused:
        template.check(PROGRAM)
    problems = refused.value.problems
    assert "made_up is not a requisition column" in problems
    assert "consumed quantity and stock on hand cannot both be calculated" in problems
    assert "a requisition needs the requested or the calculated order quantity" in problems
    assert len(problems) >= 5


def test_a_report_only_program_needs_no_quantity_column() -> None:
    template = ref.RequisitionTemplate(uuid4(), PROGRAM.program_id, "report", {})
    template.check(ref.Program(uuid4(), "R", "Report", report_only=True))
    with pytest.raises(InvalidTemplate):
        template.check(PROGRAM)


def test_a_program_has_one_default_template_and_one_per_facility_type() -> None:
    hc, disp = uuid4(), uuid4()
    with pytest.raises(DuplicateReference, match="default template"):
        ref.check_template_fits(_template(), [_template()])
    with pytest.raises(DuplicateReference, match=str(hc)):
        ref.check_template_fits(_template(hc), [_template(disp, hc)])
    ref.check_template_fits(_template(hc), [_template(disp), _template()])


def test_inactive_templates_and_other_programs_templates_do_not_clash() -> None:
    ref.check_template_fits(_template(), [_template(active=False), _template(program=uuid4())])
    ref.check_template_fits(_template(active=False), [_template()])


def test_a_change_against_another_version_is_stale() -> None:
    program = ref.revised(PROGRAM, name="Immunisation")
    assert program.version == 2 and program.name == "Immunisation"
    ref.check_version(program, 2)
    with pytest.raises(StaleVersion, match="program is at version 2, not 1"):
        ref.check_version(program, 1)


def test_a_revision_is_checked_like_a_new_record() -> None:
    with pytest.raises(InvalidReferenceData):
        ref.revised(PROGRAM, code="has space ")
