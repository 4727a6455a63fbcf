"""A requisition step taken at the site, as the CloudEvent central applies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from akiba_contracts.envelope import CloudEvent, new_event
from akiba_contracts.payloads import (
    SiteLineEdit,
    SiteLineFigures,
    SiteRequisitionLine,
    SiteRequisitionRecorded,
    SiteRequisitionStep,
)
from akiba_replenish import Edit
from akiba_replenish.documents import Document
from akiba_sync_gateway.events import source


def step_event(
    site_id: UUID,
    doc: Document,
    step: SiteRequisitionStep,
    expected_version: int,
    actor: str,
    at: datetime,
    site_version: int | None,
    edits: Sequence[Edit] = (),
) -> CloudEvent:
    """The event of one step, taken on `expected_version` (0: the requisition is new)."""
    r = doc.requisition
    whole = step is SiteRequisitionStep.INITIATE
    payload = SiteRequisitionRecorded(
        requisition_id=r.requisition_id,
        facility_id=r.facility_id,
        step=step,
        expected_version=expected_version,
        actor=actor,
        at=at,
        kind=doc.kind if whole else None,
        program_id=r.program_id,
        period_id=r.period_id,
        emergency=r.emergency,
        supplying_facility_id=r.supplying_facility_id,
        template_id=doc.template_id if whole else None,
        max_months_of_stock=doc.max_months_of_stock if whole else None,
        min_months_of_stock=doc.min_months_of_stock if whole else None,
        comment=doc.comment if whole else None,
        lines=_lines(doc) if whole else [],
        edits=[
            SiteLineEdit(
                orderable_id=e.orderable_id, requested=e.requested, explanation=e.explanation
            )
            for e in edits
            if e.requested is not None
        ],
    )
    return new_event(
        source=source(site_id),
        type=SiteRequisitionRecorded.event_type,
        subject=f"requisitions/{r.requisition_id}",
        data=payload,
        partitionkey=str(r.requisition_id),
        siteid=str(site_id),
        siteversion=site_version,
        time=at,
    )


def _lines(doc: Document) -> list[SiteRequisitionLine]:
    out = []
    for o, line in doc.requisition.lines.items():
        info = doc.info[o]
        out.append(
            SiteRequisitionLine(
                orderable_id=o,
                position=info.position,
                full_supply=info.full_supply,
                pack_size=info.pack.size,
                pack_rounding_threshold=info.pack.threshold,
                round_to_zero=info.pack.round_to_zero,
                price_per_pack=info.pack.price,
                calculated=line.calculated,
                requested=line.requested,
                explanation=line.explanation,
                figures=SiteLineFigures(**vars(info.figures)),
            )
        )
    return out
