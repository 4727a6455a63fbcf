"""What a customer requisition's page offers the supplying store's staff (pure).

An internal order sent to a store waits there (AUTHORIZED, "new" to the supplier) for its
approved quantities, then approval or rejection; once approved it is supplied (released as an
order). The API refuses anyone without ORDERS_EDIT at the supplying store; this only decides
which inputs and buttons to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akiba_web.requisitions import COLUMNS, Abilities, line_edits, shown_columns

# The statuses a supplier lists by, as the API filters them, with the supplier's word for each.
FILTERS = {"AUTHORIZED": "NEW", "APPROVED": "APPROVED", "RELEASED": "FINALISED"}
# Each step is a POST to /customer-requisitions/{id}/<step>.
STEPS = ("approve", "reject", "supply")


def chosen_status(raw: str | None) -> str | None:
    """The list's status filter, if it is one a supplier lists by (else every status)."""
    return raw if raw in FILTERS else None


def supplier_abilities(doc: Mapping[str, Any], may_edit: bool) -> Abilities:
    """What a user with (or without) ORDERS_EDIT at the supplying store may do to it now."""
    if not may_edit or doc.get("kind") != "INTERNAL_ORDER":
        return Abilities()
    if doc["status"] == "AUTHORIZED":
        return Abilities(approve=True, steps=("approve", "reject"))
    if doc["status"] == "APPROVED":
        return Abilities(steps=("supply",))
    return Abilities()


def supplier_columns(lines: Iterable[Mapping[str, Any]], can: Abilities) -> list[str]:
    """The columns some line fills, the inputs, and always the requested quantity: what the
    store asked for is what the supplier answers, even when it took the suggestion as it was."""
    shown = {*shown_columns(lines, can), "requested_quantity"}
    return [c for c in COLUMNS if c in shown]


def approved_edits(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The approved quantities and remarks posted (a requester's figures are not the
    supplier's to change, so any other line field is ignored)."""
    mine = {k: v for k, v in form.items() if str(k).startswith(("approved:", "remarks:"))}
    return line_edits(mine)
