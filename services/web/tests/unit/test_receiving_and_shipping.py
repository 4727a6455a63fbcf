"""The receiving form read into a proof of delivery, and the supplier's steps: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from akiba_contracts.fulfillment_http import ProofOfDeliveryRequest
from akiba_contracts.payloads import OrderStatus, RejectionReason, ShipmentStatus
from akiba_web import shipping
from akiba_web.forms import FormError
from akiba_web.i18n import Catalogues
from akiba_web.receiving import proof_of_delivery

NOW = datetime(2031, 5, 1, 9, 30, tzinfo=UTC)
A, B = str(uuid4()), str(uuid4())
LOTS = [{"line_id": A, "quantity": 300}, {"line_id": B, "quantity": 200}]
SHELF = str(uuid4())


def _form(**fields: str) -> dict[str, Any]:
    base = {
        "pod_delivered_by": "Driver", "pod_received_by": "Nurse",
        "pod_received_at": NOW.isoformat(),
        f"pod_accepted:{A}": "300", f"pod_accepted:{B}": "200",
    }  # fmt: skip
    return base | {k.replace("__", ":"): v for k, v in fields.items()}


def _refusal(form: dict[str, Any]) -> FormError:
    with pytest.raises(FormError) as e:
        proof_of_delivery(form, LOTS)
    return e.value


def test_a_line_partly_rejected_with_a_reason_becomes_a_proof_the_api_accepts() -> None:
    form = _form(**{f"pod_accepted__{B}": "150", f"pod_rejected__{B}": "50",
                    f"pod_reason__{B}": "DAMAGED", f"pod_note__{B}": "crushed box",
                    f"pod_location__{A}": SHELF})  # fmt: skip

    body = proof_of_delivery(form, LOTS)

    proof = ProofOfDeliveryRequest.model_validate(body)
    assert (proof.delivered_by, proof.received_by, proof.received_at) == ("Driver", "Nurse", NOW)
    a, b = proof.lines
    assert (a.accepted_quantity, a.rejected_quantity, str(a.location_id)) == (300, 0, SHELF)
    assert (b.accepted_quantity, b.rejected_quantity, b.rejection_reason, b.note) == (
        150, 50, RejectionReason.DAMAGED, "crushed box",
    )  # fmt: skip


def test_accepted_and_rejected_that_do_not_add_up_to_shipped_name_the_line() -> None:
    e = _refusal(_form(**{f"pod_accepted__{B}": "150", f"pod_rejected__{B}": "40",
                          f"pod_reason__{B}": "DAMAGED"}))  # fmt: skip
    assert (e.field, e.key) == (f"pod_accepted:{B}", "pod.must_add_up")


def test_a_rejection_needs_a_reason_and_a_vvm_rejection_its_stage() -> None:
    reasonless = _refusal(_form(**{f"pod_accepted__{B}": "150", f"pod_rejected__{B}": "50"}))
    stageless = _refusal(_form(**{f"pod_accepted__{B}": "150", f"pod_rejected__{B}": "50",
                                  f"pod_reason__{B}": "VVM_STATUS"}))  # fmt: skip
    assert (reasonless.field, reasonless.key) == (f"pod_reason:{B}", "pod.reason_needed")
    assert (stageless.field, stageless.key) == (f"pod_vvm:{B}", "pod.vvm_needed")


def test_a_reason_left_chosen_on_a_line_with_nothing_rejected_is_dropped() -> None:
    body = proof_of_delivery(_form(**{f"pod_reason__{A}": "EXPIRED"}), LOTS)
    assert body["lines"][0]["rejection_reason"] is None


def test_an_unknown_reason_a_missing_name_or_a_bad_number_is_refused() -> None:
    assert _refusal(_form(**{f"pod_reason__{A}": "LOST"})).key == "form.choose"
    assert _refusal(_form(pod_received_by=" ")).field == "pod_received_by"
    assert _refusal(_form(**{f"pod_accepted__{A}": "3OO"})).key == "form.whole_number"
    assert _refusal(_form(**{f"pod_vvm__{A}": "7"})).key == "form.choose"
    assert _refusal(_form(pod_received_at="2031-05-01T09:30")).key == "form.date"


def test_only_a_user_who_may_edit_is_offered_the_steps_and_a_shipment_that_left_has_none() -> None:
    assert shipping.next_steps("NEW", may_edit=True) == ("allocate", "cancel")
    assert shipping.next_steps("PICKED", may_edit=True) == ("ship", "cancel")
    assert shipping.next_steps("PICKED", may_edit=False) == ()
    assert shipping.next_steps("SHIPPED", may_edit=True) == ()


def test_a_new_shipment_asks_the_packs_entered_and_no_more_than_is_due() -> None:
    item, other = str(uuid4()), str(uuid4())
    lines = [{"orderable_id": item, "pack_size": 5, "remaining_quantity": 50},
             {"orderable_id": other, "pack_size": 10, "remaining_quantity": 15}]  # fmt: skip
    assert [shipping.remaining_packs(ln) for ln in lines] == [10, 2]
    wanted = shipping.shipment_lines(
        {f"order_packs:{item}": "4", f"order_packs:{other}": ""}, lines
    )
    assert wanted == [{"orderable_id": item, "packs": 4}]
    with pytest.raises(FormError) as too_many:
        shipping.shipment_lines({f"order_packs:{item}": "11"}, lines)
    with pytest.raises(FormError) as none:
        shipping.shipment_lines({f"order_packs:{item}": "0"}, lines)
    assert (too_many.value.key, none.value.key) == ("order.more_than_due", "order.nothing_to_ship")


def test_if_match_carries_the_version_the_user_saw() -> None:
    assert shipping.if_match({"version": "4"}) == {"If-Match": '"4"'}
    with pytest.raises(FormError):
        shipping.if_match({"version": "x"})


def test_every_status_reason_and_step_has_a_label_in_every_language() -> None:
    keys = {f"order.status_{s.value}" for s in OrderStatus}
    keys |= {f"ship.status_{s.value}" for s in ShipmentStatus}
    keys |= {f"pod.reason_{r.value}" for r in RejectionReason}
    for step in shipping.STEPS:
        keys |= {f"ship.{kind}_{step}" for kind in ("step", "note", "do", "done")}
    for code, messages in Catalogues().messages.items():
        assert keys <= set(messages), (code, keys - set(messages))
