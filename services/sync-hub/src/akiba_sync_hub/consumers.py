"""Contract event -> feed change: which scope, kind and key each topic's records land under."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads import (
    AdjustmentReasonChanged,
    BatchChanged,
    EdgeDocumentsApplied,
    EdgeEventRejected,
    FacilityChanged,
    FacilityTypeChanged,
    GeographicZoneChanged,
    LocationChanged,
    OrderableChanged,
    Payload,
    SiteChanged,
    StockLevelChanged,
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
)


class UnreadableEvent(PermanentError):
    """An event of a known type whose payload does not validate: a dead letter."""


def _global(kind: FeedKind) -> Callable[[Payload], tuple[str, FeedKind, str]]:
    return lambda p: (GLOBAL, kind, p.partition_key())


def _store(kind: FeedKind) -> Callable[[Any], tuple[str, FeedKind, str]]:
    return lambda p: (store_scope(p.store_id), kind, p.partition_key())


def _rejection(p: EdgeEventRejected) -> tuple[str, FeedKind, str] | None:
    # The site that sent it learns what central refused, even of a store it no longer writes
    # (the hub let only that site's own id through); without a site, the store's site.
    site = _site_id(p.site_id)
    if site is not None:
        return (site_scope(site), FeedKind.REJECTION, p.event_id)
    return None if p.store_id is None else (store_scope(p.store_id), FeedKind.REJECTION, p.event_id)


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
}


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
    return FeedChange(scope, str(kind), key, event.type, payload.model_dump(mode="json"))


def site_of(event: CloudEvent) -> SiteStores | None:
    """The site record an auth.sites event carries (None for other events)."""
    if event.type != SiteChanged.event_type:
        return None
    p = _payload(SiteChanged, event)
    assert isinstance(p, SiteChanged)
    return SiteStores(p.site_id, p.active, frozenset(p.store_ids))


def _payload(model: type[Payload], event: CloudEvent) -> Payload:
    try:
        return model.model_validate(event.data or {})
    except ValidationError as exc:
        raise UnreadableEvent(f"{event.type} payload is invalid: {exc}") from None
