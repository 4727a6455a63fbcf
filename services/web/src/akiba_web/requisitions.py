"""What a requisition's page lets its user do, and the line edits a posted form makes (pure).

The APIs refuse what a user may not do; this only decides which inputs and buttons to show,
from the requisition's status and the user's rights at its facility, node or supplier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from akiba_contracts.rights import Right
from akiba_web import forms

STATUSES = (
    "INITIATED", "REJECTED", "SUBMITTED", "AUTHORIZED", "IN_APPROVAL", "APPROVED", "RELEASED",
    "RELEASED_WITHOUT_ORDER", "SKIPPED",
)  # fmt: skip
STORE_HELD = ("INITIATED", "REJECTED")
AWAITING_APPROVAL = ("AUTHORIZED", "IN_APPROVAL")
DELETABLE = ("INITIATED", "REJECTED", "SKIPPED")
# Each step: the API's method and path under /requisitions/{id} (send is an internal order's).
STEPS = {
    "submit": ("POST", "/requisitions/{id}/submit"),
    "authorize": ("POST", "/requisitions/{id}/authorize"),
    "approve": ("POST", "/requisitions/{id}/approve"),
    "reject": ("POST", "/requisitions/{id}/reject"),
    "skip": ("POST", "/requisitions/{id}/skip"),
    "send": ("POST", "/internal-orders/{id}/send"),
    "release": ("POST", "/requisitions/{id}/release"),
    "delete": ("DELETE", "/requisitions/{id}"),
}
# Columns of a line, in the order OpenLMIS shows them; a column no line fills is left out.
COLUMNS = (
    "beginning_balance", "total_received_quantity", "total_consumed_quantity",
    "total_losses_and_adjustments", "stock_on_hand", "total_stockout_days", "total",
    "adjusted_consumption", "average_consumption", "average_monthly_consumption",
    "months_of_stock", "maximum_stock_quantity", "calculated_order_quantity",
    "calculated_order_quantity_isa", "requested_quantity", "requested_quantity_explanation",
    "approved_quantity", "remarks", "pack_size", "packs_to_ship", "price_per_pack", "total_cost",
)  # fmt: skip
DECIMALS = {"average_monthly_consumption": 1, "months_of_stock": 1, "price_per_pack": 2,
            "total_cost": 2}  # fmt: skip
TEXTS = ("requested_quantity_explanation", "remarks")


class Rights(Protocol):
    """The signed-in user's rights, as the APIs check them."""

    def allows(self, right: Right, facility: str | None, program: str | None) -> bool:
        """Whether the right is held at the facility (for the program, when given)."""
        ...

    def allows_at_node(self, right: Right, node: UUID, program: UUID) -> bool:
        """Whether the supervision right is held at this very node for the program."""
        ...


@dataclass(frozen=True)
class Abilities:
    """Which quantities the user may edit on the page and which steps they may take."""

    request: bool = False
    approve: bool = False
    steps: tuple[str, ...] = ()

    @property
    def edits(self) -> bool:
        """Whether the lines have inputs (and a save button)."""
        return self.request or self.approve


def abilities(doc: Mapping[str, Any], may: Rights, central: bool) -> Abilities:
    """What this user may do to the requisition now (approval and release are central's)."""
    status, internal = doc["status"], doc["kind"] == "INTERNAL_ORDER"
    store, program = str(doc["facility_id"]), _text(doc.get("program_id"))

    def at_store(right: Right) -> bool:
        return may.allows(right, store, program)

    request, approve, steps = False, False, []
    if status in STORE_HELD and at_store(Right.REQUISITION_CREATE):
        request = True
        steps.append("send" if internal else "submit")
        if status == "INITIATED" and not internal and not doc["emergency"]:
            steps.append("skip")
    elif status == "SUBMITTED" and not internal and at_store(Right.REQUISITION_AUTHORIZE):
        request = True
        steps.append("authorize")
    elif status in AWAITING_APPROVAL and not internal and central and _approver(doc, may):
        approve = True
        steps += ["approve", "reject"]
    elif status == "APPROVED" and not internal and central and _supplier(doc, may):
        steps.append("release")
    if status in DELETABLE and at_store(Right.REQUISITION_DELETE):
        steps.append("delete")
    return Abilities(request, approve, tuple(steps))


def _approver(doc: Mapping[str, Any], may: Rights) -> bool:
    node, program = doc.get("node_id"), doc.get("program_id")
    if node is None or program is None:
        return False
    return may.allows_at_node(Right.REQUISITION_APPROVE, UUID(str(node)), UUID(str(program)))


def _supplier(doc: Mapping[str, Any], may: Rights) -> bool:
    supplier = doc.get("supplying_facility_id")
    return supplier is not None and may.allows(Right.ORDERS_EDIT, str(supplier), None)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def shown_columns(lines: Iterable[Mapping[str, Any]], can: Abilities) -> list[str]:
    """The columns some line fills, plus the ones the user is about to fill in."""
    lines = list(lines)
    editing = {
        *(("requested_quantity", "requested_quantity_explanation") if can.request else ()),
        *(("approved_quantity", "remarks") if can.approve else ()),
    }
    return [c for c in COLUMNS if c in editing or any(line.get(c) is not None for line in lines)]


def line_edits(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lines' edits from fields `requested:<id>`, `explanation:<id>`, `approved:<id>` and
    `remarks:<id>` (the page renders only the ones the user may edit; the API decides); a
    blank quantity leaves its line as it was."""
    edits: dict[str, dict[str, Any]] = {}
    for name in form:
        kind, _, oid = str(name).partition(":")
        if kind not in ("requested", "approved") or not str(form[name]).strip():
            continue
        line = edits.setdefault(str(forms.uuid({"line": oid}, "line", required=True)), {})
        if kind == "requested":
            line["requested_quantity"] = forms.quantity(form, name, allow_zero=True)
            line["explanation"] = forms.text(form, f"explanation:{oid}")
        else:
            line["approved_quantity"] = forms.quantity(form, name, allow_zero=True)
            line["remarks"] = forms.text(form, f"remarks:{oid}")
    return [{"orderable_id": oid, **edit} for oid, edit in edits.items()]


def if_match(form: Mapping[str, Any]) -> dict[str, str]:
    """The version the form was rendered at, as the If-Match a versioned write needs."""
    raw = forms.text(form, "version", required=True) or ""
    if not raw.isdigit() or len(raw) > 9:
        raise forms.FormError("version", "form.whole_number")
    return {"If-Match": f'"{int(raw)}"'}
