"""Contract event -> feed change: which scope, kind and key each topic's records land under."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads import (
    AdjustmentReasonChanged,
    ApprovedProductChanged,
    BatchChanged,
    EdgeDocumentsApplied,
    EdgeEventRejected,
    FacilityChanged,
    FacilityTypeChanged,
    GeographicZoneChanged,
    GroupScheduleChanged,
    IdealStockAmountChanged,
    LocationChanged,
    OrderableChanged,
    OrderChanged,
    Payload,
    PeriodChanged,
    ProgramChanged,
    ProgramOrderableChanged,
    RequisitionGroupChanged,
    RequisitionStatusChanged,
    ScheduleChanged,
    ShipmentReceived,
    ShipmentShipped,
    SiteChanged,
    SiteRequisitionRefused,
    SiteShipmentRefused,
    StockLevelChanged,
    TemplateChanged,
)
from akiba_contracts.sync import FeedKind
from akiba_platform import PermanentError
from akiba_sync_hub.domain.model import GLOBAL, FeedChange, SiteStores, site_scope, store_scope

TOPICS = (
    "inventory.facility-types",
    "inventory.geographic-zones",
    "inventory.facilities",
    "inventory.orderables",
    "inventory.batches",
    "inventory.locations",
    "inventory.adjustment-reasons",
    "inventory.stock-levels",
    "inventory.edge-acks",
    "inventory.edge-rejections",
    "auth.sites",
    "requisition.programs",
    "requisition.schedules",
    "requisition.templates",
    "requisition.ideal-stock-amounts",
    "auth.supervision",
    "requisition.events",
    "requisition.site-refusals",
    "fulfillment.orders",
    "fulfillment.shipments",
    "fulfillment.site-refusals",
)


REFUSALS = frozenset({FeedKind.REJECTION, FeedKind.REQUISITION_REFUSAL, FeedKind.SHIPMENT_REFUSAL})
"""Feed kinds that tell a site central refused one of its documents (its status counts them)."""


class UnreadableEvent(PermanentError):
    """An event of a known type whose payload does not validate: a dead letter."""


def _global(kind: FeedKind) -> Callable[[Payload], tuple[str, FeedKind, str]]:
    return lambda p: (GLOBAL, kind, p.partition_key())


def _store(kind: FeedKind) -> Callable[[Any], tuple[str, FeedKind, str]]:
    return lambda p: (store_scope(p.store_id), kind, p.partition_key())


def _facility(kind: FeedKind) -> Callable[[Any], tuple[str, FeedKind, str]]:
    # Requisition names a store its facility: the requesting one, the one an ISA is set for.
    return lambda p: (store_scope(p.facility_id), kind, p.partition_key())


def _rejection(p: EdgeEventRejected) -> tuple[str, FeedKind, str] | None:
    # The site that sent it learns what central refused, even of a store it no longer writes
    # (the hub let only that site's own id through); without a site, the store's site.
    site = _site_id(p.site_id)
    if site is not None:
        return (site_scope(site), FeedKind.REJECTION, p.event_id)
    return None if p.store_id is None else (store_scope(p.store_id), FeedKind.REJECTION, p.event_id)


def _step_refusal(p: SiteRequisitionRefused) -> tuple[str, FeedKind, str]:
    # As with a rejected stock document: the site that sent the step, else the store's site.
    site = _site_id(p.site_id)
    scope = site_scope(site) if site is not None else store_scope(p.facility_id)
    return (scope, FeedKind.REQUISITION_REFUSAL, p.event_id)


def _receipt_refusal(p: SiteShipmentRefused) -> tuple[str, FeedKind, str]:
    # As with a refused requisition step: the site that sent the proof, else the store's site.
    site = _site_id(p.site_id)
    scope = site_scope(site) if site is not None else store_scope(p.receiving_facility_id)
    return (scope, FeedKind.SHIPMENT_REFUSAL, p.event_id)


def _receiver(kind: FeedKind) -> Callable[[Any], tuple[str, FeedKind, str]]:
    # A shipment reaches the receiving store's site: what comes, then central's receipt of it.
    return lambda p: (store_scope(p.receiving_facility_id), kind, p.partition_key())


def _site_id(text: str | None) -> UUID | None:
    try:
        return None if text is None else UUID(text)
    except ValueError:
        return None


# event type -> (payload model, where its current value lives)
PLACES: dict[str, tuple[type[Payload], Callable[[Any], tuple[str, FeedKind, str] | None]]] = {
    FacilityTypeChanged.event_type: (FacilityTypeChanged, _global(FeedKind.FACILITY_TYPE)),
    GeographicZoneChanged.event_type: (GeographicZoneChanged, _global(FeedKind.GEOGRAPHIC_ZONE)),
    OrderableChanged.event_type: (OrderableChanged, _global(FeedKind.ORDERABLE)),
    BatchChanged.event_type: (BatchChanged, _global(FeedKind.BATCH)),
    AdjustmentReasonChanged.event_type: (
        AdjustmentReasonChanged,
        _global(FeedKind.ADJUSTMENT_REASON),
    ),
    FacilityChanged.event_type: (FacilityChanged, _store(FeedKind.FACILITY)),
    LocationChanged.event_type: (LocationChanged, _store(FeedKind.LOCATION)),
    StockLevelChanged.event_type: (StockLevelChanged, _store(FeedKind.STOCK_LEVEL)),
    EdgeDocumentsApplied.event_type: (EdgeDocumentsApplied, _store(FeedKind.ACK)),
    EdgeEventRejected.event_type: (EdgeEventRejected, _rejection),
    SiteChanged.event_type: (
        SiteChanged,
        lambda p: (site_scope(p.site_id), FeedKind.SITE, str(p.site_id)),
    ),
    # What a site drafts requisitions from, offline.
    ProgramChanged.event_type: (ProgramChanged, _global(FeedKind.PROGRAM)),
    ProgramOrderableChanged.event_type: (
        ProgramOrderableChanged,
        _global(FeedKind.PROGRAM_ORDERABLE),
    ),
    ApprovedProductChanged.event_type: (ApprovedProductChanged, _global(FeedKind.APPROVED_PRODUCT)),
    ScheduleChanged.event_type: (ScheduleChanged, _global(FeedKind.SCHEDULE)),
    PeriodChanged.event_type: (PeriodChanged, _global(FeedKind.PERIOD)),
    GroupScheduleChanged.event_type: (GroupScheduleChanged, _global(FeedKind.GROUP_SCHEDULE)),
    TemplateChanged.event_type: (TemplateChanged, _global(FeedKind.TEMPLATE)),
    RequisitionGroupChanged.event_type: (
        RequisitionGroupChanged,
        _global(FeedKind.REQUISITION_GROUP),
    ),
    IdealStockAmountChanged.event_type: (
        IdealStockAmountChanged,
        _facility(FeedKind.IDEAL_STOCK_AMOUNT),
    ),
    # What becomes of them: one row per requisition, its latest state (a deletion included,
    # which the gateway must hear), and each step central refused.
    RequisitionStatusChanged.event_type: (
        RequisitionStatusChanged,
        _facility(FeedKind.REQUISITION),
    ),
    SiteRequisitionRefused.event_type: (SiteRequisitionRefused, _step_refusal),
    # Orders a store placed (latest state by version) and the shipments coming to it, so its
    # site follows every step and receives the truck offline; and the proofs central refused.
    OrderChanged.event_type: (
        OrderChanged,
        lambda p: (store_scope(p.requesting_facility_id), FeedKind.ORDER, p.partition_key()),
    ),
    ShipmentShipped.event_type: (ShipmentShipped, _receiver(FeedKind.INBOUND_SHIPMENT)),
    ShipmentReceived.event_type: (ShipmentReceived, _receiver(FeedKind.SHIPMENT_RECEIPT)),
    SiteShipmentRefused.event_type: (SiteShipmentRefused, _receipt_refusal),
}
"""Event types not named here (supervisory nodes, releases, allocations) are not the feed's
business."""


def change_of(event: CloudEvent) -> FeedChange | None:
    """The feed change an event makes (None: not the feed's business)."""
    place = PLACES.get(event.type)
    if place is None:
        return None
    model, where = place
    payload = _payload(model, event)
    found = where(payload)
    if found is None:
        return None
    scope, kind, key = found
    data = payload.model_dump(mode="json")
    return FeedChange(scope, str(kind), key, event.type, data, _version(payload))


def site_of(event: CloudEvent) -> SiteStores | None:
    """The site record an auth.sites event carries (None for other events)."""
    if event.type != SiteChanged.event_type:
        return None
    p = _payload(SiteChanged, event)
    assert isinstance(p, SiteChanged)
    return SiteStores(p.site_id, p.active, frozenset(p.store_ids))


def _version(payload: Payload) -> int | None:
    # Every record that carries a version says a reader ignores a lower one.
    version = getattr(payload, "version", None)
    return version if isinstance(version, int) else None


def _payload(model: type[Payload], event: CloudEvent) -> Payload:
    try:
        return model.model_validate(event.data or {})
    except ValidationError as exc:
        raise UnreadableEvent(f"{event.type} payload is invalid: {exc}") from None
