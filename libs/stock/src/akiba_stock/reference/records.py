"""Reference records: facility types, zones, stores, items, batches, locations, reasons."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from akiba_stock.reference.rules import (
    ManagedBy,
    ReasonCategory,
    ReasonDirection,
    enum,
    gtin_is_valid,
    reason_fits,
    require,
    text,
)


@dataclass(frozen=True)
class FacilityType:
    """A kind of store: national warehouse, district store, health centre…"""

    facility_type_id: UUID
    code: str
    name: str
    description: str | None = None
    display_order: int | None = None
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        text(self.code, "code")
        text(self.name, "name")

    @property
    def id(self) -> UUID:
        """The record's id."""
        return self.facility_type_id


@dataclass(frozen=True)
class GeographicZone:
    """A node of the zone tree; level 1 is the country, higher levels lie inside it."""

    zone_id: UUID
    code: str
    name: str
    level: int
    parent_id: UUID | None = None
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        text(self.code, "code")
        text(self.name, "name")
        require(self.level >= 1, "level must be 1 (the country) or more")
        require(self.parent_id != self.zone_id, "a zone cannot be its own parent")

    @property
    def id(self) -> UUID:
        """The record's id."""
        return self.zone_id

    def check_parent(self, parent: GeographicZone) -> None:
        """A zone lies below its parent (which also rules out cycles)."""
        require(
            parent.level < self.level,
            f"the parent {parent.code} is at level {parent.level}; a level {self.level} zone"
            " needs a parent at a lower level",
        )

    def check_children(self, lowest_child_level: int | None) -> None:
        """Changing the level must keep every child below this zone."""
        require(
            lowest_child_level is None or lowest_child_level > self.level,
            f"a child zone is at level {lowest_child_level}; this zone must stay above it",
        )


@dataclass(frozen=True)
class Store:
    """A place that holds stock, of a facility type, in a zone."""

    store_id: UUID
    code: str
    name: str
    facility_type_id: UUID | None
    zone_id: UUID | None
    managed_by: ManagedBy = ManagedBy.CENTRAL
    description: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    active: bool = True
    version: int = 1
    site_id: UUID | None = None  # the site that writes it, as auth assigned; None: central

    def __post_init__(self) -> None:
        text(self.code, "code")
        text(self.name, "name")
        object.__setattr__(self, "managed_by", enum(ManagedBy, self.managed_by, "managed_by"))

    @property
    def id(self) -> UUID:
        """The record's id."""
        return self.store_id

    @property
    def accepts_central_writes(self) -> bool:
        """Central commands may write its ledger only when no site owns it."""
        return self.active and self.managed_by is ManagedBy.CENTRAL

    @property
    def accepts_site_writes(self) -> bool:
        """A site-managed store is written at its site and reaches us through edge ingestion."""
        return self.active and self.managed_by is ManagedBy.SITE


@dataclass(frozen=True)
class Item:
    """An orderable product, counted in dispensing units and shipped in packs of net_content."""

    item_id: UUID
    code: str
    name: str
    dispensing_unit: str = "each"
    net_content: int = 1
    pack_rounding_threshold: int = 0
    round_to_zero: bool = False
    gtin: str | None = None
    commodity_type: str | None = None
    vvm: bool = False
    cold_chain: bool = False
    description: str | None = None
    program_ids: tuple[UUID, ...] = ()  # the programs it is ordered under (ids: requisition's)
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        text(self.code, "code")
        text(self.name, "name")
        text(self.dispensing_unit, "dispensing_unit")
        object.__setattr__(self, "program_ids", tuple(dict.fromkeys(self.program_ids)))
        require(self.net_content > 0, "net_content (pack size) must be positive")
        require(self.pack_rounding_threshold >= 0, "pack_rounding_threshold must be 0 or more")
        require(
            self.gtin is None or gtin_is_valid(self.gtin),
            f"gtin {self.gtin} is not a GTIN-8, -12, -13 or -14 with a valid check digit",
        )

    @property
    def id(self) -> UUID:
        """The record's id."""
        return self.item_id

    def packs_to_order(self, quantity: int) -> int:
        """Whole packs for a quantity in dispensing units, rounded as OpenLMIS orderables are."""
        if quantity <= 0:
            return 0
        packs, remainder = divmod(quantity, self.net_content)
        if remainder > self.pack_rounding_threshold:
            packs += 1
        return packs if packs > 0 or self.round_to_zero else 1


@dataclass(frozen=True)
class BatchRecord:
    """A lot of an item as reference data: its lot code, expiry and maker."""

    batch_id: UUID
    item_id: UUID
    lot_code: str
    expiry_date: date | None
    manufacturer: str | None = None
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        text(self.lot_code, "lot_code")

    @property
    def id(self) -> UUID:
        """The record's id."""
        return self.batch_id


@dataclass(frozen=True)
class Location:
    """A shelf or bin in a store; its code is unique within the store."""

    location_id: UUID
    store_id: UUID
    code: str
    name: str
    cold_chain: bool = False
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        text(self.code, "code")
        text(self.name, "name")

    @property
    def id(self) -> UUID:
        """The record's id."""
        return self.location_id


@dataclass(frozen=True)
class AdjustmentReason:
    """Why stock moved; valid for listed programs and facility types (none listed: all)."""

    reason_id: UUID
    name: str
    direction: ReasonDirection
    category: ReasonCategory
    description: str | None = None
    free_text_allowed: bool = False
    program_ids: tuple[UUID, ...] = ()
    facility_type_ids: tuple[UUID, ...] = ()
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        text(self.name, "name")
        object.__setattr__(self, "direction", enum(ReasonDirection, self.direction, "direction"))
        object.__setattr__(self, "category", enum(ReasonCategory, self.category, "category"))
        object.__setattr__(self, "program_ids", tuple(dict.fromkeys(self.program_ids)))
        object.__setattr__(self, "facility_type_ids", tuple(dict.fromkeys(self.facility_type_ids)))

    @property
    def id(self) -> UUID:
        """The record's id."""
        return self.reason_id

    def valid_for(self, program_id: UUID, facility_type_id: UUID | None) -> bool:
        """Whether the reason may be used for this program at this type of facility."""
        return (
            self.active
            and (not self.program_ids or program_id in self.program_ids)
            and (not self.facility_type_ids or facility_type_id in self.facility_type_ids)
        )

    def fits(self, movement_type: str) -> bool:
        """Whether this reason may label a ledger movement of this type (category and sign)."""
        return reason_fits(self.category, self.direction, movement_type)


Reference = FacilityType | GeographicZone | Store | Item | BatchRecord | Location | AdjustmentReason
R = TypeVar("R", FacilityType, GeographicZone, Store, Item, BatchRecord, Location, AdjustmentReason)


def revised(record: R, **changes: Any) -> R:
    """The record with changes applied (and validated) and its version advanced."""
    return replace(record, **changes, version=record.version + 1)
