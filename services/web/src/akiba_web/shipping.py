"""What the supplier's pages decide without a call: a shipment's next steps, a new one's packs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from akiba_web import forms
from akiba_web.forms import FormError

# What each status of an outbound shipment lets its supplier do next; it can be cancelled
# until it leaves (the API refuses the rest with 409).
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "NEW": ("allocate", "cancel"),
    "ALLOCATED": ("pick", "cancel"),
    "PICKED": ("ship", "cancel"),
}
STEPS = frozenset(s for steps in NEXT_STEPS.values() for s in steps)
# Orders whose supplier may still close what is due.
OPEN_ORDERS = frozenset({"ORDERED", "FULFILLING", "SHIPPED"})


def next_steps(status: str, may_edit: bool) -> tuple[str, ...]:
    """The steps to offer: none to a user who may not make them."""
    return NEXT_STEPS.get(status, ()) if may_edit else ()


def remaining_packs(line: Mapping[str, Any]) -> int:
    """Whole packs still due on an order line (a part pack counts as one)."""
    size = max(int(line["pack_size"]), 1)
    return -(-int(line["remaining_quantity"]) // size)


def due(order: Mapping[str, Any]) -> bool:
    """Whether anything is still due on the order."""
    return order["status"] in OPEN_ORDERS and any(remaining_packs(ln) for ln in order["lines"])


def shipment_lines(
    form: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Packs per item for a new shipment, fields `order_packs:<orderable>`; blanks left out."""
    wanted = []
    for line in lines:
        name = f"order_packs:{line['orderable_id']}"
        if forms.text(form, name) is None:
            continue
        packs = forms.quantity(form, name, allow_zero=True)
        if packs > remaining_packs(line):
            raise FormError(name, "order.more_than_due")
        if packs:
            wanted.append({"orderable_id": str(line["orderable_id"]), "packs": packs})
    if not wanted:
        raise FormError("order_packs", "order.nothing_to_ship")
    return wanted


def if_match(form: Mapping[str, Any]) -> dict[str, str]:
    """The version the user saw, as If-Match: a change made meanwhile is refused, not lost."""
    version = forms.quantity(form, "version")
    return {"If-Match": f'"{version}"'}
