"""Supply lines as the pure domain sees them: terms, versions, one active line per node."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from akiba_fulfillment.domain.errors import DuplicateSupplyLine, InvalidSupplyLine, StaleVersion
from akiba_fulfillment.domain.supply_lines import (
    DESCRIPTION_MAX,
    SupplyLine,
    Terms,
    check_unique,
)

T0 = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)


def terms(**changes: object) -> Terms:
    return replace(Terms(uuid4(), uuid4(), uuid4(), "National warehouse"), **changes)


def line(**changes: object) -> SupplyLine:
    return SupplyLine.new(uuid4(), terms(**changes), T0)


def test_a_new_line_is_active_at_version_one_created_and_updated_at_once() -> None:
    made = line()

    assert (made.active, made.version) == (True, 1)
    assert made.created_at == made.updated_at == T0


def test_new_terms_make_the_next_version_at_the_time_of_the_change() -> None:
    made = line()
    supplier = uuid4()

    revised = made.revised(replace(made.terms, supplying_facility_id=supplier), T1)

    assert revised.supplying_facility_id == supplier
    assert (revised.version, revised.created_at, revised.updated_at) == (2, T0, T1)


def test_the_same_terms_again_are_no_change_and_no_new_version() -> None:
    made = line()

    assert made.revised(made.terms, T1) is made


def test_deactivating_makes_a_new_version_once_and_then_changes_nothing() -> None:
    inactive = line().deactivated(T1)

    assert (inactive.active, inactive.version) == (False, 2)
    assert inactive.deactivated(T1 + timedelta(hours=1)) is inactive


@pytest.mark.parametrize("description", ["", "   ", "\n\t"])
def test_a_blank_description_is_refused(description: str) -> None:
    with pytest.raises(InvalidSupplyLine, match="blank"):
        line(description=description)


def test_a_description_longer_than_the_limit_is_refused_and_one_at_the_limit_is_not() -> None:
    assert line(description="x" * DESCRIPTION_MAX).description == "x" * DESCRIPTION_MAX
    with pytest.raises(InvalidSupplyLine, match="at most"):
        line(description="x" * (DESCRIPTION_MAX + 1))


def test_no_description_is_fine() -> None:
    assert line(description=None).description is None


def test_a_revision_is_checked_like_a_new_line() -> None:
    made = line()

    with pytest.raises(InvalidSupplyLine):
        made.revised(replace(made.terms, description=" "), T1)


def test_a_change_made_against_another_version_is_stale() -> None:
    made = line().deactivated(T1)

    made.check_version(2)
    for seen in (1, 3):
        with pytest.raises(StaleVersion, match="at version 2, not"):
            made.check_version(seen)


def test_two_active_lines_of_one_node_and_program_clash() -> None:
    first = line()
    second = SupplyLine.new(uuid4(), replace(first.terms, supplying_facility_id=uuid4()), T1)

    assert first.clashes_with(second) and second.clashes_with(first)
    with pytest.raises(DuplicateSupplyLine, match=str(first.supply_line_id)):
        check_unique(second, first)


def test_an_inactive_line_another_program_or_the_line_itself_do_not_clash() -> None:
    first = line()
    other_program = SupplyLine.new(uuid4(), replace(first.terms, program_id=uuid4()), T1)
    same_node_inactive = SupplyLine.new(uuid4(), replace(first.terms, active=False), T1)

    assert not first.clashes_with(other_program)
    assert not first.clashes_with(same_node_inactive)
    assert not first.clashes_with(first.revised(replace(first.terms, description=None), T1))
    check_unique(first, None)
    check_unique(first, first)
