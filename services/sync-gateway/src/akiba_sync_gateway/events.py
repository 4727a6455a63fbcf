"""A recorded document as the CloudEvents central applies: one event per document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from uuid import UUID, uuid4

from akiba_contracts.envelope import CloudEvent, new_event
from akiba_contracts.payloads.edge import (
    MAX_DOCUMENT_LINES,
    SiteDocumentType,
    SiteMovementLine,
    SiteStockRecorded,
)
from akiba_contracts.payloads.inventory import MovementType
from akiba_stock.model import StockMovement


def source(site_id: UUID) -> str:
    """The CloudEvents source of a site's events."""
    return f"/akiba/sites/{site_id}"


def chunks(movements: list[StockMovement]) -> Iterator[list[StockMovement]]:
    """A document too long for one event goes as consecutive documents of at most the limit."""
    for start in range(0, len(movements), MAX_DOCUMENT_LINES):
        yield movements[start : start + MAX_DOCUMENT_LINES]


def document_event(
    site_id: UUID,
    kind: SiteDocumentType,
    movements: list[StockMovement],
    recorded_at: datetime,
    site_version: int | None = None,
) -> CloudEvent:
    """The event of one document whose movements carry consecutive store sequences, stamped
    with the version of the site's record it was recorded under (`siteversion`)."""
    first = movements[0]
    payload = SiteStockRecorded(
        document_id=uuid4(),
        store_id=first.store_id,
        document_type=kind,
        occurred_at=first.occurred_at,
        recorded_at=recorded_at,
        actor=first.actor,
        reference=first.reference,
        source=first.source,
        lines=[_line(m) for m in movements],
    )
    return new_event(
        source=source(site_id),
        type=SiteStockRecorded.event_type,
        subject=str(payload.document_id),
        data=payload,
        partitionkey=str(first.store_id),
        siteid=str(site_id),
        storeseq=first.store_sequence,
        siteversion=site_version,
        time=recorded_at,
    )


def _line(m: StockMovement) -> SiteMovementLine:
    return SiteMovementLine(
        movement_id=m.movement_id,
        item_id=m.item_id,
        lot_code=m.batch.lot_code,
        expiry_date=m.batch.expiry_date,
        location_id=m.location_id,
        movement_type=MovementType(m.movement_type.value),
        quantity=m.quantity,
        reason_id=m.reason_id,
    )
