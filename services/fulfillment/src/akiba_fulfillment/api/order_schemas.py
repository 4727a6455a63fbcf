"""HTTP models of orders and shipments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.fields import NOTE_PATTERN, Count, Name, Note, Reference, text
from akiba_contracts.payloads import (
    OrderStatus,
    RejectionReason,
    ReturnReason,
    ShipmentKind,
)
from akiba_fulfillment.adapters.orders import Step
from akiba_fulfillment.domain.orders import Order
from akiba_fulfillment.domain.shipments import Receipt, Shipment, ShipmentStatus

MAX_LINES = 5000
Reason = Annotated[str, text(1000, min_length=1, pattern=NOTE_PATTERN)]


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
    returned_quantity: int = Field(description="Received, then returned to the supplier")


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

    @classmethod
    def of(cls, o: Order) -> OrderResponse:
        """The response for an order."""
        return cls(
            **{k: getattr(o, k) for k in cls.model_fields if k != "lines"},
            lines=[
                OrderLineResponse(
                    orderable_id=ln.orderable_id,
                    pack_size=ln.pack_size,
                    ordered_quantity=ln.ordered,
                    ordered_packs=ln.packs,
                    shipped_quantity=ln.shipped,
                    shipped_packs=ln.shipped // ln.pack_size,
                    received_quantity=ln.received,
                    received_packs=ln.received // ln.pack_size,
                    rejected_quantity=ln.rejected,
                    cancelled_quantity=ln.cancelled,
                    remaining_quantity=ln.remaining,
                    returned_quantity=ln.returned,
                )
                for ln in o.lines
            ],
        )


class TimelineEntry(BaseModel):
    """One step of an order's life."""

    version: int
    step: str
    status: OrderStatus
    shipment_id: UUID | None
    actor: str
    reason: str | None
    at: datetime

    @classmethod
    def of(cls, s: Step) -> TimelineEntry:
        """The entry for a step."""
        return cls(**vars(s))


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

    def receipt(self) -> Receipt:
        """The domain's receipt."""
        return Receipt(
            self.accepted_quantity,
            self.rejected_quantity,
            self.rejection_reason,
            self.vvm_stage,
            self.note,
            self.location_id,
        )


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
    return_reason: ReturnReason | None = None


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
    kind: ShipmentKind
    returned_shipment_id: UUID | None
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

    @classmethod
    def of(
        cls, s: Shipment, skipped: dict[UUID, list[dict[str, Any]]] | None = None
    ) -> ShipmentResponse:
        """The response for a shipment."""
        d, sk = s.delivery, skipped or {}
        return cls(
            shipment_id=s.shipment_id,
            shipment_code=s.shipment_code,
            order_id=s.order_id,
            supplying_facility_id=s.supplying_facility_id,
            receiving_facility_id=s.receiving_facility_id,
            status=s.status,
            kind=s.kind,
            returned_shipment_id=s.returned_shipment_id,
            version=s.version,
            created_by=s.created_by,
            created_at=s.created_at,
            updated_at=s.updated_at,
            carrier=s.carrier,
            note=s.note,
            shipped_at=s.shipped_at,
            cancel_reason=s.cancel_reason,
            delivered_by=d.delivered_by if d else None,
            received_by=d.received_by if d else None,
            received_at=d.received_at if d else None,
            items=[
                ShipmentItemResponse(
                    orderable_id=i.orderable_id,
                    pack_size=i.pack_size,
                    quantity=i.quantity,
                    unallocated=i.unallocated,
                    skipped=sk.get(i.orderable_id, []),
                )
                for i in s.items
            ],
            lots=[
                ShipmentLotResponse(
                    line_id=x.line_id,
                    orderable_id=x.orderable_id,
                    batch_id=x.batch_id,
                    lot_code=x.lot_code,
                    expiry_date=x.expiry_date,
                    location_id=x.location_id,
                    quantity=x.quantity,
                    packs=x.packs,
                    expiring_soon=x.expiring_soon,
                    reserved=x.confirmed,
                    return_reason=x.return_reason,
                    receipt=None
                    if x.receipt is None
                    else ReceiptResponse(
                        accepted_quantity=x.receipt.accepted,
                        accepted_packs=x.receipt.accepted // x.pack_size,
                        rejected_quantity=x.receipt.rejected,
                        rejection_reason=x.receipt.reason,
                        vvm_stage=x.receipt.vvm_stage,
                        note=x.receipt.note,
                        location_id=x.receipt.location_id,
                    ),
                )
                for x in s.lots
            ],
        )


class StatusCounts(BaseModel):
    """How many orders are in each status, for a dashboard."""

    counts: dict[str, int]
