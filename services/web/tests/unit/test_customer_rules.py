"""What a customer requisition's page offers the supplying store's staff: pure rules."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from akiba_web.customers import (
    approved_edits,
    chosen_status,
    supplier_abilities,
    supplier_columns,
)
from akiba_web.requisitions import Abilities


def order(status: str, kind: str = "INTERNAL_ORDER") -> dict[str, Any]:
    return {"status": status, "kind": kind, "supplying_facility_id": str(uuid4())}


def test_a_new_customer_requisition_takes_approved_quantities_then_approval_or_rejection() -> None:
    can = supplier_abilities(order("AUTHORIZED"), may_edit=True)
    assert can == Abilities(approve=True, steps=("approve", "reject")) and can.edits


def test_an_approved_one_is_only_supplied() -> None:
    assert supplier_abilities(order("APPROVED"), may_edit=True) == Abilities(steps=("supply",))


def test_a_finalised_one_offers_nothing() -> None:
    assert supplier_abilities(order("RELEASED"), may_edit=True) == Abilities()


def test_a_viewer_without_orders_edit_gets_no_input_and_no_button() -> None:
    for status in ("AUTHORIZED", "APPROVED"):
        assert supplier_abilities(order(status), may_edit=False) == Abilities()


def test_a_program_requisition_is_never_a_customer_requisition() -> None:
    assert supplier_abilities(order("AUTHORIZED", kind="PROGRAM"), may_edit=True) == Abilities()


def test_the_list_filters_by_the_suppliers_statuses_only() -> None:
    assert chosen_status("APPROVED") == "APPROVED"
    assert chosen_status("INITIATED") is None and chosen_status(None) is None


def test_only_approved_quantities_and_remarks_are_sent_for_the_supplier() -> None:
    a = str(uuid4())
    form = {f"approved:{a}": "80", f"remarks:{a}": "short", f"requested:{a}": "500"}
    edit = {"orderable_id": a, "approved_quantity": 80, "remarks": "short"}
    assert approved_edits(form) == [edit]


def test_the_requested_quantity_shows_even_when_the_store_took_the_suggestion() -> None:
    lines = [{"stock_on_hand": 30, "calculated_order_quantity": 90, "requested_quantity": None}]
    assert supplier_columns(lines, Abilities()) == [
        "stock_on_hand", "calculated_order_quantity", "requested_quantity",
    ]  # fmt: skip
    assert supplier_columns(lines, Abilities(approve=True))[-2:] == ["approved_quantity", "remarks"]
