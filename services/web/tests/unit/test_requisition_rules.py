"""What a requisition's page offers whom, and the edits a posted form makes: pure rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import pytest

from akiba_contracts.rights import Right
from akiba_web import forms
from akiba_web.requisitions import Abilities, abilities, if_match, line_edits, shown_columns

STORE, PROGRAM, NODE, SUPPLIER = uuid4(), uuid4(), uuid4(), uuid4()


@dataclass
class Held:
    """Rights at the store for the program, at the node, and at the supplier."""

    at_store: set[Right] = field(default_factory=set)
    at_node: bool = False
    at_supplier: bool = False

    def allows(self, right: Right, facility: str | None, program: str | None) -> bool:
        if facility == str(SUPPLIER):
            return self.at_supplier and right is Right.ORDERS_EDIT and program is None
        return facility == str(STORE) and program == str(PROGRAM) and right in self.at_store

    def allows_at_node(self, right: Right, node: UUID, program: UUID) -> bool:
        return self.at_node and (right, node, program) == (Right.REQUISITION_APPROVE, NODE, PROGRAM)


def doc(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "status": status, "kind": "PROGRAM", "facility_id": str(STORE),
        "program_id": str(PROGRAM), "emergency": False, "node_id": str(NODE),
        "supplying_facility_id": str(SUPPLIER), **extra,
    }  # fmt: skip


CREATE, AUTHORIZE = Right.REQUISITION_CREATE, Right.REQUISITION_AUTHORIZE
DELETE = Right.REQUISITION_DELETE


def test_a_clerk_requests_submits_and_skips_an_initiated_requisition() -> None:
    can = abilities(doc("INITIATED"), Held({CREATE}), central=False)
    assert can == Abilities(request=True, steps=("submit", "skip"))


def test_a_rejected_requisition_is_the_clerks_again_but_not_skippable() -> None:
    can = abilities(doc("REJECTED"), Held({CREATE, DELETE}), central=True)
    assert can == Abilities(request=True, steps=("submit", "delete"))


def test_an_emergency_requisition_is_never_offered_a_skip() -> None:
    assert "skip" not in abilities(doc("INITIATED", emergency=True), Held({CREATE}), True).steps


def test_a_submitted_requisition_is_the_authorizers_and_no_one_elses() -> None:
    assert abilities(doc("SUBMITTED"), Held({CREATE}), True) == Abilities()
    can = abilities(doc("SUBMITTED"), Held({AUTHORIZE}), False)
    assert can == Abilities(request=True, steps=("authorize",))


def test_the_approver_at_the_node_edits_approved_quantities_and_approves_centrally() -> None:
    for status in ("AUTHORIZED", "IN_APPROVAL"):
        can = abilities(doc(status), Held(at_node=True), central=True)
        assert can == Abilities(approve=True, steps=("approve", "reject"))
    assert abilities(doc("AUTHORIZED"), Held(at_node=True), central=False) == Abilities()
    elsewhere = doc("AUTHORIZED", node_id=str(uuid4()))
    assert abilities(elsewhere, Held(at_node=True), central=True) == Abilities()


def test_an_approved_requisition_is_released_by_its_suppliers_order_staff_only() -> None:
    assert abilities(doc("APPROVED"), Held(at_supplier=True), True).steps == ("release",)
    assert abilities(doc("APPROVED"), Held({CREATE, AUTHORIZE}), True).steps == ()
    no_supplier = doc("APPROVED", supplying_facility_id=None)
    assert abilities(no_supplier, Held(at_supplier=True), True).steps == ()


def test_an_internal_order_is_sent_not_submitted_and_never_skipped() -> None:
    order = doc("INITIATED", kind="INTERNAL_ORDER", program_id=None)

    class Anywhere(Held):
        def allows(self, right: Right, facility: str | None, program: str | None) -> bool:
            return facility == str(STORE) and program is None and right in self.at_store

    assert abilities(order, Anywhere({CREATE, DELETE}), False).steps == ("send", "delete")


def test_a_skipped_requisition_can_only_be_deleted() -> None:
    assert abilities(doc("SKIPPED"), Held({CREATE, DELETE}), True) == Abilities(steps=("delete",))


def test_columns_no_line_fills_are_left_out_but_the_users_inputs_stay() -> None:
    lines = [{"stock_on_hand": 5, "requested_quantity": None, "total_cost": "1.00",
              "calculated_order_quantity_isa": None}]  # fmt: skip
    assert shown_columns(lines, Abilities()) == ["stock_on_hand", "total_cost"]
    assert shown_columns(lines, Abilities(request=True)) == [
        "stock_on_hand", "requested_quantity", "requested_quantity_explanation", "total_cost",
    ]  # fmt: skip


def test_each_line_edit_takes_the_posted_quantities_and_blank_ones_leave_a_line_alone() -> None:
    a, b = str(uuid4()), str(uuid4())
    form = {f"requested:{a}": "70", f"explanation:{a}": " campaign ", f"requested:{b}": "",
            f"approved:{b}": "60", f"remarks:{b}": "budget", "version": "3"}  # fmt: skip
    assert line_edits(form) == [
        {"orderable_id": a, "requested_quantity": 70, "explanation": "campaign"},
        {"orderable_id": b, "approved_quantity": 60, "remarks": "budget"},
    ]
    assert line_edits({f"requested:{a}": " ", "version": "3"}) == []


def test_a_wrong_quantity_or_line_is_named_by_its_field() -> None:
    a = str(uuid4())
    for typed, why in (("12.5", "form.whole_number"), ("-3", "form.quantity_range")):
        with pytest.raises(forms.FormError) as refused:
            line_edits({f"requested:{a}": typed})
        assert (refused.value.field.split(":")[0], refused.value.key) == ("requested", why)
    with pytest.raises(forms.FormError):
        line_edits({"approved:not-a-line": "5"})


def test_the_version_becomes_the_if_match_and_anything_else_is_refused() -> None:
    assert if_match({"version": "7"}) == {"If-Match": '"7"'}
    for bad in ("", "x", "-1", "1" * 10):
        with pytest.raises(forms.FormError):
            if_match({"version": bad})
