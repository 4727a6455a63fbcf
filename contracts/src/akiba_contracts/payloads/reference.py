"""Reference data inventory owns, on compacted topics: the latest record per id is current."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from akiba_contracts.payloads.base import Payload

__all__ = [
    "AdjustmentReasonChanged",
    "BatchChanged",
    "FacilityChanged",
    "FacilityTypeChanged",
    "GeographicZoneChanged",
    "LocationChanged",
    "ManagedBy",
    "OrderableChanged",
    "ReasonCategory",
    "ReasonDirection",
]

_VERSION = "Grows with every change of the record; a consumer ignores a lower one."


class ManagedBy(StrEnum):
    """Who writes a store's ledger."""

    CENTRAL = "central"
    SITE = "site"


class ReasonDirection(StrEnum):
    """Whether a reason adds stock (credit) or removes it (debit)."""

    CREDIT = "credit"
    DEBIT = "debit"


class ReasonCategory(StrEnum):
    """Stock adjustment reason categories, as in OpenLMIS."""

    TRANSFER = "transfer"
    ADJUSTMENT = "adjustment"
    PHYSICAL_INVENTORY = "physical_inventory"
    AGGREGATION = "aggregation"


class FacilityTypeChanged(Payload):
    """A facility type was created or changed."""

    event_type: ClassVar[str] = "org.akiba.inventory.facility-type.changed.v1"

    facility_type_id: UUID
    code: str
    name: str
    description: str | None = None
    display_order: int | None = None
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by facility type."""
        return str(self.facility_type_id)


class GeographicZoneChanged(Payload):
    """A geographic zone was created or changed."""

    event_type: ClassVar[str] = "org.akiba.inventory.geographic-zone.changed.v1"

    zone_id: UUID
    code: str
    name: str
    level: int = Field(ge=1, description="1 is the country; children have higher levels.")
    parent_id: UUID | None = None
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by zone."""
        return str(self.zone_id)


class FacilityChanged(Payload):
    """A store (facility) was created or changed."""

    event_type: ClassVar[str] = "org.akiba.inventory.facility.changed.v1"

    store_id: UUID = Field(description="The store id every other event uses.")
    code: str
    name: str
    facility_type_id: UUID | None = None
    zone_id: UUID | None = None
    managed_by: ManagedBy = Field(
        description="`site`: written only at its site and ingested from there; `central`: here."
    )
    description: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime
    site_id: UUID | None = Field(
        None,
        description="The site that writes it (auth's assignment, which sets managed_by); null"
        " when central does.",
    )

    def partition_key(self) -> str:
        """Keyed by store."""
        return str(self.store_id)


class OrderableChanged(Payload):
    """An item (orderable) was created or changed."""

    event_type: ClassVar[str] = "org.akiba.inventory.orderable.changed.v1"

    item_id: UUID
    code: str = Field(description="The unique product code.")
    name: str
    dispensing_unit: str
    net_content: int = Field(ge=1, description="Pack size, in dispensing units.")
    pack_rounding_threshold: int = Field(
        ge=0, description="A remainder above this many units rounds the order up a pack."
    )
    round_to_zero: bool = Field(description="Whether an order may round down to zero packs.")
    gtin: str | None = Field(None, description="GS1 trade item number (8, 12, 13 or 14 digits).")
    commodity_type: str | None = None
    vvm: bool = Field(description="Carries a vaccine vial monitor.")
    cold_chain: bool
    description: str | None = None
    program_ids: list[UUID] = Field(
        default_factory=list, description="The programs it is ordered under (requisition's ids)."
    )
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by item."""
        return str(self.item_id)


class BatchChanged(Payload):
    """A batch (lot) of an item was created or changed."""

    event_type: ClassVar[str] = "org.akiba.inventory.batch.changed.v1"

    batch_id: UUID
    item_id: UUID
    lot_code: str
    expiry_date: date | None = None
    manufacturer: str | None = None
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by batch."""
        return str(self.batch_id)


class LocationChanged(Payload):
    """A location (shelf or bin) of a store was created or changed."""

    event_type: ClassVar[str] = "org.akiba.inventory.location.changed.v1"

    location_id: UUID
    store_id: UUID
    code: str = Field(description="Unique within the store.")
    name: str
    cold_chain: bool
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by location."""
        return str(self.location_id)


class AdjustmentReasonChanged(Payload):
    """A stock adjustment reason was created or changed."""

    event_type: ClassVar[str] = "org.akiba.inventory.adjustment-reason.changed.v1"

    reason_id: UUID
    name: str
    direction: ReasonDirection
    category: ReasonCategory
    description: str | None = None
    free_text_allowed: bool
    program_ids: list[UUID] = Field(description="Programs it is valid for; empty: every program.")
    facility_type_ids: list[UUID] = Field(
        description="Facility types it is valid at; empty: every facility type."
    )
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by reason."""
        return str(self.reason_id)
