"""Where each kind of site event goes: its topic, the store the site must manage, its key."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads.edge import SITE_DOCUMENT_TYPES, placement
from akiba_contracts.payloads.requisition_edge import SiteRequisitionRecorded
from akiba_contracts.payloads.shipment_edge import SiteShipmentReceived

STOCK_EVENTS = "sites.inventory-events"
REQUISITION_EVENTS = "sites.requisition-events"
SHIPMENT_EVENTS = "sites.shipment-events"


class Unplaceable(Exception):
    """The door cannot tell where an event goes; the message says why."""

    def __init__(self, reason: str, store_id: UUID | None = None) -> None:
        super().__init__(reason)
        self.store_id = store_id


@dataclass(frozen=True)
class Place:
    """The store whose writer the site must be, and the partition key on the route's topic."""

    store_id: UUID
    key: str


@dataclass(frozen=True)
class Route:
    """A kind of site event: the topic it goes to and how it is placed there."""

    topic: str
    place: Callable[[CloudEvent], Place]


def _stock_document(event: CloudEvent) -> Place:
    # Placed, not judged: the content is inventory's to judge in the store's order, so that a
    # document it cannot apply is voided there instead of leaving a hole in the sequence.
    data = event.data or {}
    try:
        store_id, _ = placement(data)
    except ValueError as exc:
        raise Unplaceable(str(exc), _uuid(data.get("store_id"))) from None
    if event.storeseq is None:
        raise Unplaceable("the event has no storeseq", store_id)
    return Place(store_id, str(store_id))


def _requisition_step(event: CloudEvent) -> Place:
    # Read whole: no store sequence waits behind a requisition step, so one central could
    # never read is better refused here, where the site hears why at once.
    data = event.data or {}
    try:
        step = SiteRequisitionRecorded.model_validate(data)
    except ValidationError as exc:
        raise Unplaceable(first_error(exc, "data"), _uuid(data.get("facility_id"))) from None
    return Place(step.facility_id, step.partition_key())


def _shipment_receipt(event: CloudEvent) -> Place:
    # Read whole, like a requisition step: nothing waits behind it in a store's sequence.
    data = event.data or {}
    try:
        pod = SiteShipmentReceived.model_validate(data)
    except ValidationError as exc:
        raise Unplaceable(
            first_error(exc, "data"), _uuid(data.get("receiving_facility_id"))
        ) from None
    return Place(pod.receiving_facility_id, pod.partition_key())


ROUTES: Mapping[str, Route] = {
    **{t: Route(STOCK_EVENTS, _stock_document) for t in SITE_DOCUMENT_TYPES},
    SiteRequisitionRecorded.event_type: Route(REQUISITION_EVENTS, _requisition_step),
    SiteShipmentReceived.event_type: Route(SHIPMENT_EVENTS, _shipment_receipt),
}
"""Event type -> route: the only site events the hub forwards."""


def first_error(exc: ValidationError, within: str = "") -> str:
    """The first thing a model found wrong, and where (`within`: the part of the event read)."""
    first = exc.errors()[0]
    where = ".".join([within, *(str(p) for p in first["loc"])]).strip(".") or "event"
    return f"{where}: {first['msg']}"


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None
