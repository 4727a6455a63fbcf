"""A requisition's life: initiate, submit, authorize, approve up the supervision tree,
reject, skip, release. Each step checks the status it starts from and moves the version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from akiba_replenish.errors import (
    ExplanationRequired,
    NotWaitingHere,
    RequisitionError,
    StaleVersion,
    WrongStatus,
)
from akiba_replenish.status import RequisitionStatus as S


@dataclass
class Line:
    """One product of the requisition: what the rules computed and what people asked."""

    orderable_id: UUID
    calculated: int
    requested: int | None = None
    explanation: str | None = None
    approved: int | None = None
    remarks: str | None = None

    def check_explained(self) -> None:
        """A requested quantity other than the calculated one needs its reason."""
        differs = self.requested is not None and self.requested != self.calculated
        if differs and not (self.explanation or "").strip():
            raise ExplanationRequired(
                f"product {self.orderable_id}: requested {self.requested} differs from the"
                f" calculated {self.calculated}; say why"
            )


@dataclass(frozen=True)
class Edit:
    """A person's change to one line: a requested quantity (with its reason) or an approved
    one (with remarks)."""

    orderable_id: UUID
    requested: int | None = None
    explanation: str | None = None
    approved: int | None = None
    remarks: str | None = None


def _not_negative(quantity: int, what: str) -> None:
    if quantity < 0:
        raise RequisitionError(
            f"a{'n' if what[0] in 'aeiou' else ''} {what} quantity cannot be negative"
        )


@dataclass(frozen=True)
class Change:
    """One step of the status history."""

    status: S
    actor: str
    at: datetime
    node_id: UUID | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Approval:
    """Where an approver stands in the tree, as auth and fulfillment say."""

    node_id: UUID
    parent_id: UUID | None
    # A supply line at this node for the program names who supplies: approval ends here.
    supplied_here: bool
    report_only: bool = False


@dataclass
class Requisition:
    """A store's request for a program and period (regular or emergency)."""

    requisition_id: UUID
    facility_id: UUID
    program_id: UUID | None
    period_id: UUID | None
    emergency: bool
    lines: dict[UUID, Line]
    # An internal order goes store to store: sent to its supplier, approved and supplied there.
    internal: bool = False
    status: S = S.INITIATED
    version: int = 1
    node_id: UUID | None = None  # the supervisory node where it waits for approval
    supplying_facility_id: UUID | None = None
    history: list[Change] = field(default_factory=list)

    def check_version(self, seen: int) -> None:
        """Refuse a write made against an older version (If-Match)."""
        if seen != self.version:
            raise StaleVersion(f"requisition is at version {self.version}, not {seen}")

    def request(self, orderable_id: UUID, quantity: int, explanation: str | None) -> None:
        """Set a requested quantity, before authorization."""
        self.edit([Edit(orderable_id, requested=quantity, explanation=explanation)])

    def approve_quantity(self, orderable_id: UUID, quantity: int, remarks: str | None) -> None:
        """Set an approved quantity, only while approvers hold the requisition."""
        self.edit([Edit(orderable_id, approved=quantity, remarks=remarks)])

    def edit(self, edits: Sequence[Edit]) -> None:
        """Apply line edits as one change (one new version): requested quantities before
        authorization, approved ones while approvers hold it."""
        for e in edits:
            line = self._line(e.orderable_id)
            if e.requested is not None:
                self._expect(
                    S.INITIATED, S.REJECTED, S.SUBMITTED, doing="change requested quantities"
                )
                _not_negative(e.requested, "requested")
                line.requested, line.explanation = e.requested, e.explanation
            if e.approved is not None:
                self._expect(S.AUTHORIZED, S.IN_APPROVAL, doing="change approved quantities")
                _not_negative(e.approved, "approved")
                line.approved, line.remarks = e.approved, e.remarks
        self.version += 1

    def submit(self, actor: str, at: datetime, skip_authorize: bool, node_id: UUID | None) -> None:
        """Send it up: submitted, or straight to authorized when the program skips that step."""
        self._expect_internal(False, doing="submit")
        self._expect(S.INITIATED, S.REJECTED, doing="submit")
        # An emergency requisition's lines are chosen by hand: nothing was calculated to differ.
        for line in self.lines.values() if not self.emergency else ():
            line.check_explained()
        self._move(S.SUBMITTED, actor, at)
        if skip_authorize:
            self._authorized(actor, at, node_id)

    def authorize(self, actor: str, at: datetime, node_id: UUID | None) -> None:
        """Authorize at the facility: approved quantities start as requested (or calculated)."""
        self._expect_internal(False, doing="authorize")
        self._expect(S.SUBMITTED, doing="authorize")
        self._authorized(actor, at, node_id)

    def approve(self, actor: str, at: datetime, here: Approval) -> None:
        """Approve at the node where it waits: on to the parent, or approved where supplied."""
        self._expect_internal(False, doing="approve")
        self._expect(S.AUTHORIZED, S.IN_APPROVAL, doing="approve")
        if here.node_id != self.node_id:
            raise NotWaitingHere(f"requisition waits at node {self.node_id}, not {here.node_id}")
        if not here.supplied_here and here.parent_id is not None:
            self._move(S.IN_APPROVAL, actor, at, node_id=here.parent_id)
            return
        done = S.RELEASED_WITHOUT_ORDER if here.report_only else S.APPROVED
        self._move(done, actor, at, node_id=None)

    def reject(self, actor: str, at: datetime, reason: str) -> None:
        """Send it back to the facility with a reason; its approvals start over."""
        self._expect(S.AUTHORIZED, S.IN_APPROVAL, doing="reject")
        if not reason.strip():
            raise RequisitionError("a rejection needs a reason")
        for line in self.lines.values():
            line.approved = None
        self._move(S.REJECTED, actor, at, node_id=None, reason=reason)

    def skip(self, actor: str, at: datetime, periods_skippable: bool) -> None:
        """Skip the period, where the program allows it (never an emergency requisition)."""
        self._expect_internal(False, doing="skip")
        self._expect(S.INITIATED, doing="skip")
        if not periods_skippable or self.emergency:
            raise RequisitionError("this program's periods cannot be skipped")
        self._move(S.SKIPPED, actor, at)

    def send(self, actor: str, at: datetime) -> None:
        """Send an internal order to its supplier, who sees it as a customer requisition."""
        self._expect_internal(True, doing="send")
        self._expect(S.INITIATED, S.REJECTED, doing="send")
        if self.supplying_facility_id is None:
            raise RequisitionError("an internal order needs a supplying store")
        self._move(S.SUBMITTED, actor, at)
        self._authorized(actor, at, None)

    def approve_as_supplier(self, actor: str, at: datetime) -> None:
        """The supplying store accepts the customer requisition, with its approved quantities."""
        self._expect_internal(True, doing="approve as supplier")
        self._expect(S.AUTHORIZED, doing="approve")
        self._move(S.APPROVED, actor, at)

    def release(self, actor: str, at: datetime, supplying_facility_id: UUID) -> None:
        """Convert to an order for the supplying facility (an internal order's own supplier)."""
        self._expect(S.APPROVED, doing="release")
        if self.internal and supplying_facility_id != self.supplying_facility_id:
            raise RequisitionError("an internal order is supplied by the store it was sent to")
        self.supplying_facility_id = supplying_facility_id
        self._move(S.RELEASED, actor, at)

    def check_deletable(self) -> None:
        """Only a requisition its facility still holds may be deleted."""
        if not self.status.deletable:
            raise WrongStatus(f"a {self.status} requisition cannot be deleted")

    def _authorized(self, actor: str, at: datetime, node_id: UUID | None) -> None:
        for line in self.lines.values():
            line.approved = line.requested if line.requested is not None else line.calculated
        self._move(S.AUTHORIZED, actor, at, node_id=node_id)

    def _expect_internal(self, internal: bool, doing: str) -> None:
        if self.internal is not internal:
            kind = "an internal order" if self.internal else "a program requisition"
            raise RequisitionError(f"cannot {doing} {kind}")

    def _expect(self, *allowed: S, doing: str) -> None:
        if self.status not in allowed:
            raise WrongStatus(f"cannot {doing} a {self.status} requisition")

    def _line(self, orderable_id: UUID) -> Line:
        try:
            return self.lines[orderable_id]
        except KeyError:
            raise RequisitionError(f"product {orderable_id} is not on this requisition") from None

    def _move(
        self,
        status: S,
        actor: str,
        at: datetime,
        node_id: UUID | None = None,
        reason: str | None = None,
    ) -> None:
        self.status, self.node_id = status, node_id
        self.version += 1
        self.history.append(Change(status, actor, at, node_id, reason))
