"""HTTP shapes of orders and shipments, served alike by the fulfillment service and, for the
receiving store, by each site's gateway (the twins' routes take and answer the same models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.fields import NOTE_PATTERN, Count, Name, Note, Reference, text
from akiba_contracts.payloads import (
    OrderStatus,
    RejectionReason,
    ReturnReason,
    ShipmentKind,
    ShipmentStatus,
)

__all__ = [
    "MAX_LINES",
    "AllocateRequest",
    "CancelRequest",
    "CloseRequest",
    "OrderLineRequest",
    "OrderLineResponse",
    "OrderRequest",
    "OrderResponse",
    "Page",
    "ProofOfDeliveryRequest",
    "ReceiptLineRequest",
    "ReceiptResponse",
    "ReturnLineRequest",
    "ReturnRequest",
    "ShipRequest",
    "ShipmentItemResponse",
    "ShipmentLineRequest",
    "ShipmentLotResponse",
    "ShipmentRequest",
    "ShipmentResponse",
    "ShipmentStatus",
    "StatusCounts",
    "Timeline",
    "TimelineEntry",
]

T = TypeVar("T")

MAX_LINES = 5000
Reason = Annotated[str, text(1000, min_length=1, pattern=NOTE_PATTERN)]


class Page(BaseModel, Generic[T]):
    """One page of a list; `page` counts from 0."""

    items: list[T]
    page: int
    size: int
    total: int = Field(description="How many records match, over all pages.")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLineRequest(_Body):
    """An item and how many packs of it."""

    orderable_id: UUID
    packs: int = Field(ge=1, le=10_000_000)


class OrderRequest(_Body):
    """An order entered at the supplier without a requisition (ORDERS_EDIT there)."""

    requesting_facility_id: UUID
    supplying_facility_id: UUID
    program_id: UUID | None = None
    emergency: bool = False
    lines: list[OrderLineRequest] = Field(min_length=1, max_length=MAX_LINES)


class CloseRequest(_Body):
    """Why what is still due will not be shipped."""

    reason: Reason


class OrderLineResponse(BaseModel):
    """One item of an order: ordered, shipped, received, rejected, cancelled and still due."""

    orderable_id: UUID
    pack_size: int
    ordered_quantity: int
    ordered_packs: int
    shipped_quantity: int
    shipped_packs: int
    received_quantity: int
    received_packs: int
    rejected_quantity: int
    cancelled_quantity: int
    remaining_quantity: int = Field(description="Still due: the back-order once a part shipped")
    returned_quantity: int = Field(0, description="Received, then returned to the supplier")


class OrderResponse(BaseModel):
    """An order with its lines; the ETag is its version."""

    order_id: UUID
    order_code: str
    requisition_id: UUID | None
    program_id: UUID | None
    period_id: UUID | None
    emergency: bool
    requesting_facility_id: UUID
    supplying_facility_id: UUID
    status: OrderStatus
    back_ordered: bool
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_reason: str | None
    lines: list[OrderLineResponse]


class TimelineEntry(BaseModel):
    """One step of an order's life."""

    version: int
    step: str
    status: OrderStatus
    shipment_id: UUID | None
    actor: str
    reason: str | None
    at: datetime


class Timeline(BaseModel):
    """From the requisition's release to the last receipt."""

    order_id: UUID
    requisition_id: UUID | None
    steps: list[TimelineEntry]


class ShipmentLineRequest(_Body):
    """Packs of one item of the order to put on the shipment."""

    orderable_id: UUID
    packs: int = Field(ge=0, le=10_000_000)


class ShipmentRequest(_Body):
    """A new shipment of an order: the packs per item, or (no lines) all that is still open."""

    lines: list[ShipmentLineRequest] | None = Field(None, min_length=1, max_length=MAX_LINES)


class AllocateRequest(_Body):
    """How far ahead allocation looks; the service's settings when absent."""

    lead_time_days: int | None = Field(None, ge=0, le=3650)
    min_shelf_life_days: int | None = Field(None, ge=0, le=3650)
    warning_days: int | None = Field(None, ge=0, le=3650)


class ShipRequest(_Body):
    """Who carries it, and a note for the receiver."""

    carrier: Name | None = None
    note: Note | None = None


class CancelRequest(_Body):
    """Why the shipment will not go."""

    reason: Note | None = None


class ReceiptLineRequest(_Body):
    """How one shipment line arrived: accepted + rejected = shipped."""

    line_id: UUID
    accepted_quantity: Count
    rejected_quantity: Count = 0
    rejection_reason: RejectionReason | None = None
    vvm_stage: int | None = Field(None, ge=1, le=4)
    note: Note | None = None
    location_id: UUID | None = Field(None, description="Where the accepted units go")


class ReturnLineRequest(_Body):
    """Units of one received line to send back, and why."""

    line_id: UUID = Field(description="A line of the received shipment")
    quantity: int = Field(ge=1, le=1_000_000_000)
    reason: ReturnReason
    note: Note | None = None


class ReturnRequest(_Body):
    """What goes back to the supplier, line by line."""

    lines: list[ReturnLineRequest] = Field(min_length=1, max_length=MAX_LINES)


class ProofOfDeliveryRequest(_Body):
    """The receiver's check of a whole shipment; confirming it puts the stock on the shelf."""

    delivered_by: Name
    received_by: Name
    received_at: AwareDatetime
    reference: Reference | None = None
    lines: list[ReceiptLineRequest] = Field(min_length=1, max_length=MAX_LINES)


class ReceiptResponse(BaseModel):
    """How the receiver found a lot."""

    accepted_quantity: int
    accepted_packs: int
    rejected_quantity: int
    rejection_reason: RejectionReason | None
    vvm_stage: int | None
    note: str | None
    location_id: UUID | None


class ShipmentLotResponse(BaseModel):
    """A pick-list line: a lot at a location; the receipt next to it once received."""

    line_id: UUID
    orderable_id: UUID
    batch_id: UUID | None
    lot_code: str | None
    expiry_date: date | None
    location_id: UUID | None
    quantity: int
    packs: int
    expiring_soon: bool
    reserved: bool = Field(description="Inventory answered the reservation")
    receipt: ReceiptResponse | None
    return_reason: ReturnReason | None = Field(None, description="On a return: why it goes back")


class ShipmentItemResponse(BaseModel):
    """An item of the shipment: what was wanted, what could not be allocated and why."""

    orderable_id: UUID
    pack_size: int
    quantity: int
    unallocated: int
    skipped: list[dict[str, Any]] = []


class ShipmentResponse(BaseModel):
    """A shipment with its items and lots; the ETag is its version."""

    shipment_id: UUID
    shipment_code: str
    order_id: UUID
    supplying_facility_id: UUID
    receiving_facility_id: UUID
    status: ShipmentStatus
    kind: ShipmentKind = Field(
        ShipmentKind.ORDER, description="ORDER, or RETURN: received stock going back"
    )
    returned_shipment_id: UUID | None = Field(
        None, description="On a return: the shipment the stock came on"
    )
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    carrier: str | None
    note: str | None
    shipped_at: datetime | None
    cancel_reason: str | None
    delivered_by: str | None
    received_by: str | None
    received_at: datetime | None
    items: list[ShipmentItemResponse]
    lots: list[ShipmentLotResponse]


class StatusCounts(BaseModel):
    """How many orders are in each status, for a dashboard."""

    counts: dict[str, int]
