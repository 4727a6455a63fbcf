"""A requisition's life, step by step: who may move it where, and what each step keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from akiba_replenish import (
    Approval,
    ExplanationRequired,
    Line,
    NotWaitingHere,
    Period,
    Requisition,
    RequisitionError,
    RequisitionStatus,
    StaleVersion,
    WrongStatus,
)
from akiba_replenish.periods import current, next_regular

S = RequisitionStatus
AT = datetime(2026, 12, 5, 9, tzinfo=UTC)
# A three-level tree: health centre → district (supply line here) → province.
DISTRICT, PROVINCE, NATIONAL = uuid4(), uuid4(), uuid4()
PARACETAMOL, ORS = uuid4(), uuid4()


def _requisition(emergency: bool = False) -> Requisition:
    lines = {PARACETAMOL: Line(PARACETAMOL, calculated=120), ORS: Line(ORS, calculated=40)}
    return Requisition(uuid4(), uuid4(), uuid4(), uuid4(), emergency, lines)


def _authorized(node: UUID = DISTRICT) -> Requisition:
    r = _requisition()
    r.submit("clerk", AT, skip_authorize=False, node_id=None)
    r.authorize("incharge", AT, node_id=node)
    return r


def test_a_requested_quantity_unlike_the_calculated_one_cannot_be_submitted_unexplained() -> None:
    r = _requisition()
    r.request(PARACETAMOL, 150, None)
    with pytest.raises(ExplanationRequired):
        r.submit("clerk", AT, skip_authorize=False, node_id=None)
    r.request(PARACETAMOL, 150, "new clinic day added")
    r.submit("clerk", AT, skip_authorize=False, node_id=None)
    assert r.status is S.SUBMITTED


def test_authorizing_starts_approved_quantities_at_requested_else_calculated() -> None:
    r = _requisition()
    r.request(PARACETAMOL, 150, "outbreak")
    r.submit("clerk", AT, skip_authorize=False, node_id=None)
    r.authorize("incharge", AT, node_id=DISTRICT)
    assert (r.status, r.node_id) == (S.AUTHORIZED, DISTRICT)
    assert [r.lines[p].approved for p in (PARACETAMOL, ORS)] == [150, 40]


def test_a_program_that_skips_authorize_goes_from_submit_to_authorized() -> None:
    r = _requisition()
    r.submit("clerk", AT, skip_authorize=True, node_id=DISTRICT)
    assert [c.status for c in r.history] == [S.SUBMITTED, S.AUTHORIZED]
    assert r.node_id == DISTRICT


def test_approval_climbs_until_the_node_with_the_supply_line() -> None:
    # The supply line is at the district, the middle node: approval ends there.
    r = _authorized(node=DISTRICT)
    r.approve("district", AT, Approval(DISTRICT, parent_id=PROVINCE, supplied_here=True))
    assert (r.status, r.node_id) == (S.APPROVED, None)


def test_approval_without_a_supply_line_moves_to_the_parent_node() -> None:
    # Health centre's node first (no supply line) → district (supply line): two approvals.
    centre = uuid4()
    r = _authorized(node=centre)
    r.approve("centre", AT, Approval(centre, parent_id=DISTRICT, supplied_here=False))
    assert (r.status, r.node_id) == (S.IN_APPROVAL, DISTRICT)
    with pytest.raises(NotWaitingHere):
        r.approve("province", AT, Approval(PROVINCE, parent_id=NATIONAL, supplied_here=False))
    r.approve("district", AT, Approval(DISTRICT, parent_id=PROVINCE, supplied_here=True))
    assert r.status is S.APPROVED
    assert [(c.status, c.node_id) for c in r.history[-2:]] == [
        (S.IN_APPROVAL, DISTRICT), (S.APPROVED, None),
    ]  # fmt: skip


def test_the_top_of_the_tree_approves_even_without_a_supply_line() -> None:
    r = _authorized(node=NATIONAL)
    r.approve("national", AT, Approval(NATIONAL, parent_id=None, supplied_here=False))
    assert r.status is S.APPROVED


def test_a_report_only_program_is_released_without_an_order() -> None:
    r = _authorized()
    r.approve("district", AT, Approval(DISTRICT, PROVINCE, supplied_here=True, report_only=True))
    assert r.status is S.RELEASED_WITHOUT_ORDER
    with pytest.raises(WrongStatus):
        r.release("depot", AT, uuid4())


def test_approved_quantities_change_only_while_approvers_hold_it() -> None:
    r = _requisition()
    with pytest.raises(WrongStatus):
        r.approve_quantity(ORS, 30, "too early")
    r = _authorized()
    r.approve_quantity(ORS, 30, "district stock is short")
    assert (r.lines[ORS].approved, r.lines[ORS].remarks) == (30, "district stock is short")
    with pytest.raises(WrongStatus):
        r.request(ORS, 10, "too late")


def test_a_rejection_goes_back_to_the_facility_which_may_edit_and_submit_again() -> None:
    r = _authorized()
    r.approve_quantity(ORS, 30, None)
    with pytest.raises(RequisitionError):
        r.reject("district", AT, "  ")
    r.reject("district", AT, "consumption does not match the stock card")
    assert (r.status, r.node_id, r.lines[ORS].approved) == (S.REJECTED, None, None)
    assert r.history[-1].reason == "consumption does not match the stock card"
    r.request(ORS, 45, "recounted")
    r.submit("clerk", AT, skip_authorize=False, node_id=None)
    assert r.status is S.SUBMITTED


def test_release_names_the_supplier() -> None:
    r = _authorized()
    r.approve("district", AT, Approval(DISTRICT, PROVINCE, supplied_here=True))
    depot = uuid4()
    r.release("depot", AT, depot)
    assert (r.status, r.supplying_facility_id) == (S.RELEASED, depot)


def test_skipping_needs_a_program_that_allows_it_and_a_regular_requisition() -> None:
    with pytest.raises(RequisitionError):
        _requisition().skip("clerk", AT, periods_skippable=False)
    with pytest.raises(RequisitionError):
        _requisition(emergency=True).skip("clerk", AT, periods_skippable=True)
    r = _requisition()
    r.skip("clerk", AT, periods_skippable=True)
    assert r.status is S.SKIPPED
    r.check_deletable()


def test_only_what_the_facility_still_holds_can_be_deleted() -> None:
    _requisition().check_deletable()
    with pytest.raises(WrongStatus):
        _authorized().check_deletable()


def test_every_change_moves_the_version_and_a_stale_writer_is_refused() -> None:
    r = _requisition()
    seen = r.version
    r.request(ORS, 40, None)
    assert r.version == seen + 1
    with pytest.raises(StaleVersion):
        r.check_version(seen)
    r.check_version(seen + 1)


def test_two_approvers_at_once_one_wins_the_other_finds_it_moved() -> None:
    r = _authorized()
    seen = r.version
    r.check_version(seen)
    r.approve("first", AT, Approval(DISTRICT, PROVINCE, supplied_here=True))
    with pytest.raises(StaleVersion):
        r.check_version(seen)  # the second approver saw the same version
    with pytest.raises(WrongStatus):
        r.approve("second", AT, Approval(DISTRICT, PROVINCE, supplied_here=True))


JAN, FEB, MAR = (Period(uuid4(), date(2026, m, 1), date(2026, m, 28), months=1) for m in (1, 2, 3))


def test_the_next_regular_period_is_the_oldest_not_yet_done() -> None:
    assert next_regular([MAR, JAN, FEB], {}, date(2026, 3, 10)) == JAN
    done = {JAN.period_id: S.AUTHORIZED}
    assert next_regular([JAN, FEB, MAR], done, date(2026, 3, 10)) == FEB
    skipped = {JAN.period_id: S.RELEASED, FEB.period_id: S.SKIPPED}
    assert next_regular([JAN, FEB, MAR], skipped, date(2026, 3, 10)) == MAR


def test_an_unauthorized_earlier_requisition_blocks_the_next_period() -> None:
    waiting = {JAN.period_id: S.SUBMITTED}
    assert next_regular([JAN, FEB], waiting, date(2026, 3, 10)) == JAN


def test_no_period_opens_before_it_begins_and_an_emergency_takes_todays() -> None:
    done = {JAN.period_id: S.APPROVED}
    assert next_regular([JAN, FEB], done, date(2026, 1, 20)) is None
    assert current([JAN, FEB, MAR], date(2026, 2, 14)) == FEB
    assert current([JAN], date(2026, 5, 1)) is None


def _internal_order(supplier: UUID | None = NATIONAL) -> Requisition:
    lines = {PARACETAMOL: Line(PARACETAMOL, calculated=19)}
    return Requisition(
        uuid4(), uuid4(), None, None, False, lines, internal=True, supplying_facility_id=supplier
    )


def test_an_internal_order_sent_waits_for_its_supplier_with_what_was_asked() -> None:
    r = _internal_order()
    r.request(PARACETAMOL, 25, None)  # Open mSupply asks no reason for changing a suggestion
    r.send("clerk", AT)
    assert r.status is S.AUTHORIZED and r.node_id is None
    assert r.lines[PARACETAMOL].approved == 25


def test_the_supplier_approves_with_changes_then_supplies_it_from_itself_only() -> None:
    r = _internal_order()
    r.send("clerk", AT)
    r.approve_quantity(PARACETAMOL, 10, "only ten in stock")
    r.approve_as_supplier("warehouse", AT)
    with pytest.raises(RequisitionError):
        r.release("warehouse", AT, uuid4())
    r.release("warehouse", AT, NATIONAL)
    assert r.status is S.RELEASED and r.lines[PARACETAMOL].approved == 10
    assert [c.status for c in r.history] == [S.SUBMITTED, S.AUTHORIZED, S.APPROVED, S.RELEASED]


def test_an_internal_order_without_a_supplier_cannot_be_sent() -> None:
    with pytest.raises(RequisitionError):
        _internal_order(supplier=None).send("clerk", AT)


def test_program_steps_refuse_an_internal_order_and_store_steps_a_program_requisition() -> None:
    with pytest.raises(RequisitionError):
        _internal_order().submit("clerk", AT, skip_authorize=True, node_id=None)
    with pytest.raises(RequisitionError):
        _requisition().send("clerk", AT)
    with pytest.raises(RequisitionError):
        _authorized().approve_as_supplier("warehouse", AT)
