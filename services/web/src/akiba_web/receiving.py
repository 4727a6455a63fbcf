"""The receiving form read into a proof of delivery: every shipped line accounted for.

Fields per shipment line `<name>:<line_id>`: pod_accepted, pod_rejected, pod_reason, pod_vvm,
pod_note, pod_location. The API checks the same rules; checking them here names the line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from akiba_contracts.payloads import RejectionReason
from akiba_web import forms
from akiba_web.forms import FormError

REASONS = tuple(r.value for r in RejectionReason)
VVM_STAGES = (1, 2, 3, 4)


def proof_of_delivery(form: Mapping[str, Any], lots: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The proof the form describes (a ProofOfDeliveryRequest's JSON)."""
    return {
        "delivered_by": forms.text(form, "pod_delivered_by", required=True),
        "received_by": forms.text(form, "pod_received_by", required=True),
        "received_at": _moment(form, "pod_received_at").isoformat(),
        "reference": forms.text(form, "reference"),
        "lines": [_line(form, lot) for lot in lots],
    }


def _moment(form: Mapping[str, Any], name: str) -> datetime:
    # Stamped when the form was rendered, not when it is posted: a re-post of the same form
    # must send the same body, or its idempotency key would be refused as reused.
    raw = forms.text(form, name, required=True) or ""
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise FormError(name, "form.date") from None
    if at.tzinfo is None:
        raise FormError(name, "form.date")
    return at


def _line(form: Mapping[str, Any], lot: Mapping[str, Any]) -> dict[str, Any]:
    line = str(lot["line_id"])
    accepted = forms.quantity(form, f"pod_accepted:{line}", allow_zero=True)
    rejected = _count(form, f"pod_rejected:{line}")
    if accepted + rejected != int(lot["quantity"]):
        raise FormError(f"pod_accepted:{line}", "pod.must_add_up")
    reason = _reason(form, line, rejected)
    vvm = _vvm(form, line, reason)
    location = forms.uuid(form, f"pod_location:{line}")
    return {
        "line_id": line,
        "accepted_quantity": accepted,
        "rejected_quantity": rejected,
        "rejection_reason": reason,
        "vvm_stage": vvm,
        "note": forms.text(form, f"pod_note:{line}"),
        "location_id": str(location) if location else None,
    }


def _count(form: Mapping[str, Any], name: str) -> int:
    # A blank rejected box means none were rejected.
    if forms.text(form, name) is None:
        return 0
    return forms.quantity(form, name, allow_zero=True)


def _reason(form: Mapping[str, Any], line: str, rejected: int) -> str | None:
    reason = forms.text(form, f"pod_reason:{line}")
    if reason is not None and reason not in REASONS:
        raise FormError(f"pod_reason:{line}", "form.choose")
    if rejected and reason is None:
        raise FormError(f"pod_reason:{line}", "pod.reason_needed")
    # A reason left chosen on a line with nothing rejected explains nothing: drop it.
    return reason if rejected else None


def _vvm(form: Mapping[str, Any], line: str, reason: str | None) -> int | None:
    raw = forms.text(form, f"pod_vvm:{line}")
    if raw is None:
        if reason == RejectionReason.VVM_STATUS:
            raise FormError(f"pod_vvm:{line}", "pod.vvm_needed")
        return None
    if raw not in {str(s) for s in VVM_STAGES}:
        raise FormError(f"pod_vvm:{line}", "form.choose")
    return int(raw)
