"""HTTP models of the reference-data admin API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from akiba_contracts.fields import INT4_MAX, TRIMMED_PATTERN, Code, LotCode, Name, Note, text
from akiba_stock.reference import (
    ManagedBy,
    ReasonCategory,
    ReasonDirection,
    gtin_is_valid,
)

T = TypeVar("T")


def _gtin(value: str) -> str:
    if not gtin_is_valid(value):
        raise ValueError("not a GTIN-8, -12, -13 or -14 with a valid check digit")
    return value


_GTIN = r"^(?:[0-9]{8}|[0-9]{12,14})$"
_MAILBOX = r"[^@\s\x00-\x1f\x7f-\x9f]+"
Gtin = Annotated[
    str, Field(max_length=14, pattern=_GTIN, examples=["4006381333931"]), AfterValidator(_gtin)
]
Email = Annotated[str, text(254, pattern=f"^{_MAILBOX}@{_MAILBOX}$")]
Phone = Annotated[str, text(40)]
ZoneLevel = Annotated[int, Field(ge=1, le=10, description="1: the country, then region, district…")]


class Page(BaseModel, Generic[T]):
    """One page of a list; `page` counts from 0."""

    items: list[T]
    page: int
    size: int
    total: int = Field(description="How many records match, over all pages.")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FacilityTypeRequest(_Request):
    """A facility type's fields."""

    code: Code
    name: Name
    description: Note | None = None
    display_order: Annotated[int, Field(ge=0, le=INT4_MAX)] | None = None
    active: bool = True


class FacilityTypeResponse(BaseModel):
    """A facility type."""

    facility_type_id: UUID
    code: str
    name: str
    description: str | None
    display_order: int | None
    active: bool
    version: int


class ZoneRequest(_Request):
    """A geographic zone's fields; a parent must sit at a lower level."""

    code: Code
    name: Name
    level: ZoneLevel
    parent_id: UUID | None = None
    active: bool = True


class ZoneResponse(BaseModel):
    """A geographic zone."""

    zone_id: UUID
    code: str
    name: str
    level: int
    parent_id: UUID | None
    active: bool
    version: int


class StoreRequest(_Request):
    """A store's (facility's) fields; which site writes it is set in auth (site stores)."""

    code: Code
    name: Name
    facility_type_id: UUID
    zone_id: UUID
    description: Note | None = None
    address: Note | None = None
    contact_name: Name | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    active: bool = True


class StoreResponse(BaseModel):
    """A store (facility)."""

    store_id: UUID
    code: str
    name: str
    facility_type_id: UUID | None
    zone_id: UUID | None
    managed_by: ManagedBy = Field(
        description="`site`: only its site (sync gateway) writes its ledger; `central`: here."
        " Set by assigning the store to a site in auth, never here."
    )
    site_id: UUID | None = Field(description="The site that writes it; null when central does.")
    description: str | None
    address: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    active: bool
    version: int


class ItemRequest(_Request):
    """An item's (orderable's) fields."""

    code: Code
    name: Name
    dispensing_unit: Annotated[str, text(50, min_length=1, pattern=TRIMMED_PATTERN)]
    net_content: int = Field(ge=1, le=1_000_000, description="Pack size in dispensing units")
    pack_rounding_threshold: int = Field(0, ge=0, le=1_000_000)
    round_to_zero: bool = False
    gtin: Gtin | None = None
    commodity_type: Annotated[str, text(100, min_length=1, pattern=TRIMMED_PATTERN)] | None = None
    vvm: bool = False
    cold_chain: bool = False
    description: Note | None = None
    program_ids: list[UUID] = Field(
        default_factory=list, max_length=100, description="Programs it is ordered under"
    )
    active: bool = True


class ItemResponse(BaseModel):
    """An item (orderable)."""

    item_id: UUID
    code: str
    name: str
    dispensing_unit: str
    net_content: int
    pack_rounding_threshold: int
    round_to_zero: bool
    gtin: str | None
    commodity_type: str | None
    vvm: bool
    cold_chain: bool
    description: str | None
    program_ids: list[UUID]
    active: bool
    version: int


class BatchUpdateRequest(_Request):
    """A batch's changeable fields (its item and lot code are its identity)."""

    expiry_date: date | None = None
    manufacturer: Name | None = None
    active: bool = True


class BatchRequest(BatchUpdateRequest):
    """A new batch (lot) of an item."""

    item_id: UUID
    lot_code: LotCode


class BatchResponse(BaseModel):
    """A batch (lot)."""

    batch_id: UUID
    item_id: UUID
    lot_code: str
    expiry_date: date | None
    manufacturer: str | None
    active: bool
    version: int


class LocationRequest(_Request):
    """A location's fields; its code is unique within the store."""

    code: Code
    name: Name
    cold_chain: bool = False
    active: bool = True


class LocationResponse(BaseModel):
    """A location (shelf, bin) of a store."""

    location_id: UUID
    store_id: UUID
    code: str
    name: str
    cold_chain: bool
    active: bool
    version: int


class ReasonRequest(_Request):
    """An adjustment reason's fields; empty program or facility type lists mean all."""

    name: Name
    direction: ReasonDirection
    category: ReasonCategory
    description: Note | None = None
    free_text_allowed: bool = False
    program_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    facility_type_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    active: bool = True


class ReasonResponse(BaseModel):
    """An adjustment reason."""

    reason_id: UUID
    name: str
    direction: ReasonDirection
    category: ReasonCategory
    description: str | None
    free_text_allowed: bool
    program_ids: list[UUID]
    facility_type_ids: list[UUID]
    active: bool
    version: int
