"""Reference records → their `…Changed` contract payloads, compacted topics and keys."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from akiba_contracts.payloads import (
    AdjustmentReasonChanged,
    BatchChanged,
    FacilityChanged,
    FacilityTypeChanged,
    GeographicZoneChanged,
    LocationChanged,
    OrderableChanged,
    Payload,
)
from akiba_inventory.outbound import SOURCE
from akiba_platform import OutboxMessage, message_of
from akiba_stock import reference as ref

# record type → (payload, topic, CloudEvents subject prefix)
ROUTES: dict[type[ref.Reference], tuple[type[Payload], str, str]] = {
    ref.FacilityType: (FacilityTypeChanged, "inventory.facility-types", "facility-types"),
    ref.GeographicZone: (GeographicZoneChanged, "inventory.geographic-zones", "zones"),
    ref.Store: (FacilityChanged, "inventory.facilities", "stores"),
    ref.Item: (OrderableChanged, "inventory.orderables", "items"),
    ref.BatchRecord: (BatchChanged, "inventory.batches", "batches"),
    ref.Location: (LocationChanged, "inventory.locations", "locations"),
    ref.AdjustmentReason: (AdjustmentReasonChanged, "inventory.adjustment-reasons", "reasons"),
}


def payload_of(record: ref.Reference, changed_at: datetime) -> Payload:
    """The record's full current state as its contract payload."""
    model = ROUTES[type(record)][0]
    return model.model_validate({**asdict(record), "changed_at": changed_at})


def changed(record: ref.Reference, changed_at: datetime | None = None) -> OutboxMessage:
    """The outbox message announcing a record's current state, keyed by its id."""
    _, topic, subject = ROUTES[type(record)]
    payload = payload_of(record, changed_at or datetime.now(UTC))
    return message_of(topic, SOURCE, f"{subject}/{payload.partition_key()}", payload)
