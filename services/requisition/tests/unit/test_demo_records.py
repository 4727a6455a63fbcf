"""The demo's records keep the rules the API keeps."""

from __future__ import annotations

from datetime import date

from akiba_platform import demo_id
from akiba_requisition import demo
from akiba_requisition.domain import reference as ref


def test_each_demo_template_works_for_its_program() -> None:
    programs = {p.program_id: p for p in demo.programs()}
    for template in demo.templates():
        template.check(programs[template.program_id])
        ref.check_template_fits(template, demo.templates())


def test_the_demo_months_run_from_three_months_back_to_a_year_ahead_without_overlap() -> None:
    periods = demo.periods(date(2026, 12, 6))
    assert len(periods) == 16 and all(p.months == 1 for p in periods)
    for p in periods:
        ref.check_period_fits(p, periods)
    assert periods[0].period_id == demo_id("period", "2026-09")
    assert (periods[0].name, str(periods[0].end_date)) == ("September 2026", "2026-09-30")
    assert (periods[-1].name, str(periods[-1].end_date)) == ("December 2027", "2027-12-31")


def test_only_essential_medicines_periods_may_be_skipped() -> None:
    assert {p.code: p.periods_skippable for p in demo.programs()} == {
        "EPI": False, "FP": False, "EM": True,
    }  # fmt: skip
