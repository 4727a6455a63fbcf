"""Payloads published by the fulfillment service: supply lines, orders and shipments."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.fields import Count, LotCode, Name, Note, Quantity, Reference
from akiba_contracts.payloads.base import Payload

__all__ = [
    "OrderChanged",
    "OrderLineState",
    "OrderStatus",
    "ReceivedLot",
    "RejectionReason",
    "ReturnReason",
    "ShipmentAllocated",
    "ShipmentCancelled",
    "ShipmentKind",
    "ShipmentLot",
    "ShipmentReceived",
    "ShipmentShipped",
    "ShipmentStatus",
    "SupplyLineChanged",
]

_SHIPMENT_KEY = "Keyed by shipment, so one shipment's events stay in order."


class SupplyLineChanged(Payload):
    """A supply line was created or changed: which facility supplies a node for a program."""

    event_type: ClassVar[str] = "org.akiba.fulfillment.supply-line.changed.v1"

    supply_line_id: UUID
    supervisory_node_id: UUID = Field(
        description="The node of auth's supervision tree; a requisition of the program is"
        " approved for good at the node whose active supply line names its supplier."
    )
    program_id: UUID
    supplying_facility_id: UUID = Field(
        description="The store (facility) that fulfils the node's orders for the program."
    )
    description: str | None = None
    active: bool = Field(
        description="At most one active line per node and program; an inactive one supplies nobody."
    )
    local_fulfillment: bool = Field(
        False,
        description="The supplying facility fulfils the program's orders itself, from its own"
        " stock: a requisition approved at the node becomes its order at once (released).",
    )
    version: int = Field(
        ge=1, description="Grows with every change; a consumer ignores a lower one."
    )
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by supply line, so compaction keeps each line's latest state."""
        return str(self.supply_line_id)


class OrderStatus(StrEnum):
    """Where an order stands, from the supplier's first look to the receiver's shelf."""

    ORDERED = "ORDERED"  # nothing allocated or shipped yet
    FULFILLING = "FULFILLING"  # a shipment is being allocated or picked; nothing shipped yet
    SHIPPED = "SHIPPED"  # stock left the supplier; `back_ordered` says whether some is still due
    RECEIVED = "RECEIVED"  # everything due was shipped and every shipment was received
    CANCELLED = "CANCELLED"  # closed with a reason before anything shipped


class ShipmentStatus(StrEnum):
    """Where a shipment stands (outbound NEW → ALLOCATED → PICKED → SHIPPED, then RECEIVED)."""

    NEW = "NEW"
    ALLOCATED = "ALLOCATED"
    PICKED = "PICKED"
    SHIPPED = "SHIPPED"
    RECEIVED = "RECEIVED"
    CANCELLED = "CANCELLED"


class OrderLineState(BaseModel):
    """One item of an order, in dispensing units, with what became of it so far."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    orderable_id: UUID
    pack_size: int = Field(ge=1, description="Dispensing units per pack.")
    ordered_quantity: Count = Field(description="Ordered, in whole packs' worth of units.")
    ordered_packs: Count
    shipped_quantity: Count = Field(description="Left the supplier on shipped shipments.")
    received_quantity: Count = Field(description="Accepted by the receiver.")
    rejected_quantity: Count = Field(description="Refused by the receiver, with reasons.")
    cancelled_quantity: Count = Field(
        description="Of the remainder, closed with a reason: it will not be shipped."
    )
    remaining_quantity: Count = Field(
        description="Ordered, neither shipped nor cancelled: the back-order once a part shipped."
    )
    returned_quantity: Count = Field(
        0, description="Received, then sent back to the supplier on a return."
    )


class OrderChanged(Payload):
    """An order was created or changed: its full state after the step."""

    event_type: ClassVar[str] = "org.akiba.fulfillment.order.changed.v1"

    order_id: UUID
    order_code: str
    requisition_id: UUID | None = Field(description="The released requisition, if any.")
    program_id: UUID | None
    period_id: UUID | None
    emergency: bool
    requesting_facility_id: UUID = Field(description="The store the stock goes to.")
    supplying_facility_id: UUID = Field(description="The store that ships it.")
    status: OrderStatus
    back_ordered: bool = Field(
        description="Part shipped and part still due (never silently closed)."
    )
    step: str = Field(
        description="What happened: created, shipment-allocated, shipment-cancelled, shipped,"
        " received, closed or cancelled."
    )
    shipment_id: UUID | None = Field(None, description="The shipment the step concerns.")
    version: int = Field(ge=1, description="The order's version after this step.")
    actor: str
    reason: Note | None = Field(None, description="Why it was closed or cancelled.")
    at: AwareDatetime
    lines: list[OrderLineState]
    created_by: str | None = Field(None, description="Who created the order.")
    created_at: AwareDatetime | None = Field(None, description="When the order was created.")
    closed_reason: Note | None = Field(
        None, description="Why what was still due was cancelled, once it was."
    )

    def partition_key(self) -> str:
        """Keyed by order, so one order's steps stay in order."""
        return str(self.order_id)


class ShipmentKind(StrEnum):
    """An order's shipment to the requester, or a return of received stock to its supplier."""

    ORDER = "ORDER"
    RETURN = (
        "RETURN"  # supplier return at the store sending it back, customer return at its supplier
    )


class ReturnReason(StrEnum):
    """Why a store sends received stock back to its supplier."""

    DAMAGED = "DAMAGED"
    EXPIRED = "EXPIRED"
    WRONG_ITEM = "WRONG_ITEM"
    RECALLED = "RECALLED"
    EXCESS = "EXCESS"
    OTHER = "OTHER"


_KIND = "ORDER: to the requesting store; RETURN: received stock going back to its supplier."


class ShipmentLot(BaseModel):
    """Units of one lot at one location of the supplier on a shipment."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    line_id: UUID = Field(description="The shipment line (one per item, lot and location).")
    orderable_id: UUID
    batch_id: UUID | None
    lot_code: str | None
    expiry_date: date | None
    location_id: UUID | None = Field(description="Where the supplier picks it.")
    quantity: Quantity = Field(description="In dispensing units, whole packs.")
    packs: Count
    pack_size: int = Field(ge=1)
    return_reason: ReturnReason | None = Field(None, description="On a return: why it goes back.")


class _ShipmentStep(Payload):
    """What every step of a shipment names: the shipment, its order, its supplier, its version
    after the step and whether it is a return; keyed by shipment, so its steps stay in order."""

    shipment_id: UUID
    order_id: UUID
    supplying_facility_id: UUID = Field(description="The store the shipment leaves from.")
    version: int = Field(ge=1)
    kind: ShipmentKind = Field(ShipmentKind.ORDER, description=_KIND)
    returned_shipment_id: UUID | None = Field(
        None, description="On a return: the shipment the stock came on."
    )

    def partition_key(self) -> str:
        """Keyed by shipment."""
        return str(self.shipment_id)


class ShipmentAllocated(_ShipmentStep):
    """A shipment's lots were allocated FEFO: inventory reserves them at the supplier."""

    event_type: ClassVar[str] = "org.akiba.fulfillment.shipment.allocated.v1"

    lots: list[ShipmentLot]
    actor: str
    at: AwareDatetime


class ShipmentCancelled(_ShipmentStep):
    """A shipment was cancelled before it shipped: whatever it reserved is released."""

    event_type: ClassVar[str] = "org.akiba.fulfillment.shipment.cancelled.v1"

    reason: Note | None
    actor: str
    at: AwareDatetime


class ShipmentShipped(_ShipmentStep):
    """A shipment left the supplier: inventory issues its lots; the receiver expects it."""

    event_type: ClassVar[str] = "org.akiba.fulfillment.shipment.shipped.v1"

    shipment_code: str
    order_code: str
    requisition_id: UUID | None
    program_id: UUID | None
    receiving_facility_id: UUID
    lots: list[ShipmentLot]
    carrier: Name | None = None
    note: Note | None = None
    actor: str
    shipped_at: AwareDatetime


class RejectionReason(StrEnum):
    """Why a receiver refused part of a shipment line."""

    DAMAGED = "DAMAGED"
    EXPIRED = "EXPIRED"
    SHORT_SHIPPED = "SHORT_SHIPPED"  # counted fewer than the shipment says
    VVM_STATUS = "VVM_STATUS"  # a vaccine's vial monitor past its discard point
    WRONG_ITEM = "WRONG_ITEM"
    OTHER = "OTHER"


class ReceivedLot(BaseModel):
    """One shipment line as the receiver checked it: accepted + rejected = shipped."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    line_id: UUID
    orderable_id: UUID
    batch_id: UUID | None
    lot_code: LotCode | None
    expiry_date: date | None
    shipped_quantity: Quantity
    accepted_quantity: Count
    rejected_quantity: Count
    rejection_reason: RejectionReason | None = None
    vvm_stage: int | None = Field(None, ge=1, le=4, description="Vaccine vial monitor stage.")
    note: Note | None = None
    location_id: UUID | None = Field(description="Where the receiver put the accepted units.")


class ShipmentReceived(_ShipmentStep):
    """The receiver confirmed a shipment (proof of delivery): accepted stock enters its ledger."""

    event_type: ClassVar[str] = "org.akiba.fulfillment.shipment.received.v1"

    shipment_code: str
    receiving_facility_id: UUID
    lots: list[ReceivedLot]
    delivered_by: Name
    received_by: Name
    received_at: AwareDatetime
    reference: Reference | None = None
    posted_at_site: bool = Field(
        description="The receiver's site already put the accepted stock in its ledger (it"
        " manages the store); inventory posts nothing for it centrally."
    )
    actor: str
    at: AwareDatetime
