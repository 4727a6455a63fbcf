"""A requisition's statuses, ranked as OpenLMIS ranks them, and what each allows."""

from __future__ import annotations

from enum import StrEnum


class RequisitionStatus(StrEnum):
    """Where a requisition stands, from first draft to order."""

    INITIATED = "INITIATED"
    REJECTED = "REJECTED"
    SUBMITTED = "SUBMITTED"
    AUTHORIZED = "AUTHORIZED"
    IN_APPROVAL = "IN_APPROVAL"
    APPROVED = "APPROVED"
    RELEASED = "RELEASED"
    RELEASED_WITHOUT_ORDER = "RELEASED_WITHOUT_ORDER"
    SKIPPED = "SKIPPED"

    @property
    def rank(self) -> int:
        """Its place in the flow: a rejected requisition is back where it began; skipped is out."""
        return _RANK[self]

    @property
    def editable(self) -> bool:
        """Its lines may still change (before approval, never once skipped)."""
        return self is not RequisitionStatus.SKIPPED and self.rank < 4

    @property
    def approvable(self) -> bool:
        """It waits for an approver (authorized, or in approval at a node)."""
        return self.rank == 3

    @property
    def deletable(self) -> bool:
        """It may be deleted (only while its facility still holds it)."""
        return self in (
            RequisitionStatus.INITIATED,
            RequisitionStatus.REJECTED,
            RequisitionStatus.SKIPPED,
        )

    @property
    def approved_quantities_editable(self) -> bool:
        """Approved quantities and remarks change only while approvers hold it."""
        return self.approvable


_RANK = {
    RequisitionStatus.INITIATED: 1,
    RequisitionStatus.REJECTED: 1,
    RequisitionStatus.SUBMITTED: 2,
    RequisitionStatus.AUTHORIZED: 3,
    RequisitionStatus.IN_APPROVAL: 3,
    RequisitionStatus.APPROVED: 4,
    RequisitionStatus.RELEASED: 5,
    RequisitionStatus.RELEASED_WITHOUT_ORDER: 6,
    RequisitionStatus.SKIPPED: -1,
}
