"""The demo's records keep the rules the API keeps."""

from __future__ import annotations

from akiba_platform import demo_id
from akiba_requisition import demo
from akiba_requisition.domain import reference as ref


def test_each_demo_template_works_for_its_program() -> None:
    programs = {p.program_id: p for p in demo.programs()}
    for template in demo.templates():
        template.check(programs[template.program_id])
        ref.check_template_fits(template, demo.templates())


def test_the_demo_months_run_from_january_2025_to_december_2027_without_overlap() -> None:
    periods = demo.periods()
    assert len(periods) == 36 and all(p.months == 1 for p in periods)
    for p in periods:
        ref.check_period_fits(p, periods)
    assert periods[14].period_id == demo_id("period", "2026-03")
    assert (periods[14].name, str(periods[14].end_date)) == ("March 2026", "2026-03-31")


def test_only_essential_medicines_periods_may_be_skipped() -> None:
    assert {p.code: p.periods_skippable for p in demo.programs()} == {
        "EPI": False, "FP": False, "EM": True,
    }  # fmt: skip
