"""Proofs of delivery confirmed at sites (`sites.shipment-events`): each applied once, or refused.

Each proof runs in a savepoint of the batch's transaction through the same code as central's
route (`handlers.shipments.receive_at_site`), marked posted at the site so inventory does not post
the receipt again. Refused (an unknown shipment, a stale version, lines that do not add up, a
store the site does not write, no `siteid`), it changes nothing: its refusal goes out on
`fulfillment.site-refusals` (the site reads it in its feed) with the batch's effects, and the event
to the dead-letter topic. A transient failure (a read model behind) retries the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from pydantic import ValidationError

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads import SiteShipmentReceived
from akiba_fulfillment.domain.errors import Forbidden, FulfillmentError, InvalidReceipt
from akiba_fulfillment.domain.shipments import Delivery, Receipt, SitePod
from akiba_fulfillment.handlers.shipments import receive_at_site
from akiba_fulfillment.outbound import site_refusal
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform import Connection, Rejected, is_transient
from akiba_platform import Delivery as Message

log = logging.getLogger(__name__)

NAME = "fulfillment.site-receipts"
TOPIC = "sites.shipment-events"


async def apply(conn: Connection, deliveries: Sequence[Message]) -> list[Rejected]:
    """Apply every site proof in order; return the refused ones, to dead-letter."""
    uow = FulfillmentUnitOfWork.joining(conn)
    now = datetime.now(UTC)
    refused = []
    for d in deliveries:
        if d.event.type != SiteShipmentReceived.event_type:
            refused.append(Rejected(d, f"{d.event.type} is not a site proof of delivery"))
            continue
        try:
            pod = SiteShipmentReceived.model_validate(d.event.data)
        except ValidationError as exc:
            refused.append(Rejected(d, f"invalid site proof of delivery: {exc}"))
            continue
        reason = await _applied(uow, d.event, pod)
        if reason is not None:
            uow.publish(site_refusal(pod, d.event.id, d.event.siteid, reason, now))
            refused.append(Rejected(d, f"SiteReceiptRefused: {reason}"))
    await uow.commit()
    return refused


async def _applied(
    uow: FulfillmentUnitOfWork, event: CloudEvent, pod: SiteShipmentReceived
) -> str | None:
    """None once the proof is applied, else why it is refused (its effects undone)."""
    try:
        async with uow.savepoint():
            await receive_at_site(uow, _site_of(event), sitepod(pod))
    except Exception as exc:
        if is_transient(exc):
            raise
        if isinstance(exc, FulfillmentError):
            return str(exc)
        # Anything else (a value the database refuses, a bug) is refused too, named by its
        # type, so the site never waits for an answer.
        log.exception("site proof of delivery failed", extra={"event_id": event.id})
        return f"{type(exc).__name__}: {exc}"
    return None


def sitepod(p: SiteShipmentReceived) -> SitePod:
    """The domain's proof of delivery of a site's event; a line named twice is refused."""
    receipts = {
        ln.line_id: Receipt(
            ln.accepted_quantity, ln.rejected_quantity, ln.rejection_reason, ln.vvm_stage,
            ln.note, ln.location_id,
        )
        for ln in p.lines
    }  # fmt: skip
    if len(receipts) != len(p.lines):
        raise InvalidReceipt("a shipment line appears twice")
    delivery = Delivery(p.delivered_by, p.received_by, p.received_at, p.reference)
    return SitePod(
        p.shipment_id, p.receiving_facility_id, p.expected_version, delivery, receipts, p.actor
    )


def _site_of(event: CloudEvent) -> UUID:
    """The site the hub says sent the proof; one without it is never applied."""
    if not event.siteid:
        raise Forbidden("a site's proof of delivery carries the siteid of the site that sent it")
    try:
        return UUID(event.siteid)
    except ValueError:
        raise Forbidden(f"siteid {event.siteid!r} is not a site id") from None
