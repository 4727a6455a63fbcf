"""Requisition steps → `requisition.events`, and refused site steps →
`requisition.site-refusals`, both keyed by requisition."""

from __future__ import annotations

from datetime import date, datetime

from akiba_contracts.payloads import (
    Payload,
    ReleasedLine,
    RequisitionLineState,
    RequisitionReleased,
    RequisitionStatusChanged,
    SiteRequisitionRecorded,
    SiteRequisitionRefused,
)
from akiba_platform import OutboxMessage, message_of
from akiba_replenish import Line
from akiba_replenish.documents import Document

SOURCE = "/akiba/requisition"
EVENTS = "requisition.events"
REFUSALS = "requisition.site-refusals"


def _message(payload: Payload, requisition: str) -> OutboxMessage:
    return message_of(EVENTS, SOURCE, f"requisitions/{requisition}", payload)


def status_changed(
    doc: Document, status: str | None = None, edited: tuple[str, datetime] | None = None
) -> OutboxMessage:
    """Its latest step (or `status`, e.g. DELETED, which leaves no step behind), or the lines
    `edited` by someone at some time (the status stays, the version moves)."""
    r = doc.requisition
    step = r.history[-1] if r.history else None
    lines = None if status == "DELETED" else [_state(line) for line in r.lines.values()]
    actor, at = edited or ((step.actor, step.at) if step else (doc.created_by, doc.created_at))
    payload = RequisitionStatusChanged(
        requisition_id=r.requisition_id,
        kind=doc.kind,
        facility_id=r.facility_id,
        program_id=r.program_id,
        period_id=r.period_id,
        emergency=r.emergency,
        status=status or r.status.value,
        version=r.version,
        node_id=r.node_id,
        supplying_facility_id=r.supplying_facility_id,
        actor=actor,
        reason=step.reason if step and status is None and edited is None else None,
        at=at,
        lines=lines,
    )
    return _message(payload, str(r.requisition_id))


def _state(line: Line) -> RequisitionLineState:
    return RequisitionLineState(
        orderable_id=line.orderable_id,
        calculated=line.calculated,
        requested=line.requested,
        approved=line.approved,
        remarks=line.remarks,
    )


def released(doc: Document, period: tuple[date, date] | None) -> OutboxMessage:
    """The order to make: every line with a quantity, in dispensing units and packs."""
    r = doc.requisition
    step = r.history[-1]
    assert r.supplying_facility_id is not None
    lines = [
        ReleasedLine(
            orderable_id=orderable_id,
            approved_quantity=doc.quantity(orderable_id),
            packs=doc.packs(orderable_id),
            pack_size=doc.info[orderable_id].pack.size,
            price_per_pack=doc.info[orderable_id].pack.price,
            remarks=line.remarks,
        )
        for orderable_id, line in r.lines.items()
        if doc.quantity(orderable_id) > 0
    ]
    payload = RequisitionReleased(
        requisition_id=r.requisition_id,
        kind=doc.kind,
        requesting_facility_id=r.facility_id,
        supplying_facility_id=r.supplying_facility_id,
        program_id=r.program_id,
        period_id=r.period_id,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        emergency=r.emergency,
        version=r.version,
        released_by=step.actor,
        released_at=step.at,
        lines=lines,
    )
    return _message(payload, str(r.requisition_id))


def site_refusal(
    step: SiteRequisitionRecorded, event_id: str, site_id: str | None, reason: str, at: datetime
) -> OutboxMessage:
    """A site's step central could not apply, for the site (through its feed) and operations."""
    payload = SiteRequisitionRefused(
        event_id=event_id,
        site_id=site_id,
        requisition_id=step.requisition_id,
        facility_id=step.facility_id,
        step=step.step,
        expected_version=step.expected_version,
        reason=reason,
        refused_at=at,
    )
    return message_of(REFUSALS, SOURCE, f"requisitions/{step.requisition_id}", payload)
