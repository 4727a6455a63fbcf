"""Who may move a requisition: each step's right at its scope (pure; the API supplies the gate)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from akiba_contracts.rights import Right
from akiba_replenish import RequisitionStatus as S
from akiba_replenish.access import Forbidden, Rights, at_facility, for_program
from akiba_replenish.documents import Document
from akiba_requisition.domain.errors import RecordedAtSite


class Gate(Rights, Protocol):
    """The caller's rights, as auth published them, and where the step comes from."""

    @property
    def site_id(self) -> UUID | None:
        """The site whose gateway took the step (None: central's API)."""
        ...

    def allows_at_node(self, right: Right, node: UUID, program: UUID) -> bool:
        """Whether the supervision right is held at this very node for the program."""
        ...


class SiteGate:
    """A site's gateway taking its store's step: the gateway checked the user's rights at the
    site (offline, from auth's copy), so central grants the store-side rights at that store only."""

    RIGHTS = frozenset(
        {Right.REQUISITION_CREATE, Right.REQUISITION_AUTHORIZE, Right.REQUISITION_DELETE}
    )

    def __init__(self, site_id: UUID, facility_id: UUID, actor: str) -> None:
        self.site_id, self._facility, self.actor = site_id, facility_id, actor

    def allows(self, right: Right, facility: UUID | None, program: UUID | None) -> bool:
        """The store-side rights, at the store the step names."""
        return facility == self._facility and right in self.RIGHTS

    def allows_at_node(self, right: Right, node: UUID, program: UUID) -> bool:
        """Approval is never a site's: it happens centrally."""
        return False


def check_writer(gate: Gate, writer: UUID | None) -> None:
    """One writer per store: a store written at a site takes its store-side steps there only."""
    if writer is not None and gate.site_id != writer:
        raise RecordedAtSite(f"this store's requisitions are recorded at its site {writer}")


def store_side(doc: Document) -> bool:
    """Whether the requisition is still its store's to change (not yet authorized or sent)."""
    return doc.requisition.status in (S.INITIATED, S.REJECTED, S.SUBMITTED)


def at_supplier(gate: Gate, right: Right, doc: Document, supplier: UUID | None = None) -> None:
    """Refuse unless the fulfillment right is held at the supplying facility."""
    facility = supplier or doc.requisition.supplying_facility_id
    if facility is None or not gate.allows(right, facility, None):
        raise Forbidden(f"this needs {right} at the supplying facility {facility}")


def at_node(gate: Gate, doc: Document) -> None:
    """Refuse unless the caller approves at the node where the requisition waits."""
    r = doc.requisition
    node = r.node_id
    if node is None or r.program_id is None:
        raise Forbidden("this requisition waits for no supervisory node")
    if not gate.allows_at_node(Right.REQUISITION_APPROVE, node, r.program_id):
        raise Forbidden(
            f"this needs {Right.REQUISITION_APPROVE} at node {node}" + for_program(r.program_id)
        )


def may_view(gate: Gate, doc: Document) -> bool:
    """The facility's viewers, the approvers where it waits and the supplier's staff see it."""
    r = doc.requisition
    if gate.allows(Right.REQUISITION_VIEW, r.facility_id, r.program_id):
        return True
    node, program = r.node_id, r.program_id
    if (
        node is not None
        and program is not None
        and gate.allows_at_node(Right.REQUISITION_APPROVE, node, program)
    ):
        return True
    supplier = r.supplying_facility_id
    return (
        supplier is not None
        and r.status.rank >= 3
        and gate.allows(Right.ORDERS_VIEW, supplier, None)
    )


def check_view(gate: Gate, doc: Document) -> None:
    """Refuse a caller who may not see the requisition."""
    if not may_view(gate, doc):
        raise Forbidden(
            f"this needs {Right.REQUISITION_VIEW} at facility {doc.requisition.facility_id}"
        )


def check_edit(gate: Gate, doc: Document) -> None:
    """Who edits lines depends on where the requisition stands."""
    r = doc.requisition
    if r.status in (S.INITIATED, S.REJECTED):
        at_facility(gate, Right.REQUISITION_CREATE, r.facility_id, r.program_id)
    elif r.status is S.SUBMITTED:
        at_facility(gate, Right.REQUISITION_AUTHORIZE, r.facility_id, r.program_id)
    elif r.internal:
        at_supplier(gate, Right.ORDERS_EDIT, doc)
    else:
        at_node(gate, doc)


__all__ = [
    "Forbidden",
    "Gate",
    "SiteGate",
    "at_facility",
    "at_node",
    "at_supplier",
    "check_edit",
    "check_view",
    "check_writer",
    "may_view",
]
