"""Shipments received at sites: the proof of delivery a site confirmed offline, and central's
refusal of one it cannot apply."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.fields import Count, Name, Note, Reference
from akiba_contracts.payloads.base import Payload
from akiba_contracts.payloads.fulfillment import RejectionReason

__all__ = ["MAX_POD_LINES", "SitePodLine", "SiteShipmentReceived", "SiteShipmentRefused"]

MAX_POD_LINES = 5000
"""The most lines one proof of delivery holds (as many as a shipment may carry)."""


class SitePodLine(BaseModel):
    """How one shipment line arrived at the site: accepted + rejected = shipped."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    line_id: UUID
    accepted_quantity: Count
    rejected_quantity: Count
    rejection_reason: RejectionReason | None = None
    vvm_stage: int | None = Field(None, ge=1, le=4)
    note: Note | None = None
    location_id: UUID | None = Field(description="Where the site put the accepted units.")


class SiteShipmentReceived(Payload):
    """A site confirmed a shipment to one of its stores (proof of delivery), offline or not.

    The accepted stock is already in the site's ledger (its receipt document travels the store's
    own lane); central applies the proof once, on `expected_version` only (as If-Match), and marks
    the receipt posted at the site so inventory does not post it again.
    """

    event_type: ClassVar[str] = "org.akiba.sites.shipment.received.v1"

    shipment_id: UUID
    receiving_facility_id: UUID = Field(description="The receiving store, which the site manages.")
    expected_version: int = Field(
        ge=1, description="The shipment's version the proof was taken on."
    )
    lines: list[SitePodLine] = Field(min_length=1, max_length=MAX_POD_LINES)
    delivered_by: Name
    received_by: Name
    received_at: AwareDatetime
    reference: Reference | None = None
    actor: str = Field(min_length=1, max_length=200)
    at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by shipment, like the shipment's own events."""
        return str(self.shipment_id)


class SiteShipmentRefused(Payload):
    """Central could not apply a site's proof of delivery: it reaches the site on its feed."""

    event_type: ClassVar[str] = "org.akiba.fulfillment.site-receipt.refused.v1"

    event_id: str = Field(description="The refused CloudEvent's id.")
    site_id: str | None = Field(description="The `siteid` it claimed.")
    shipment_id: UUID
    receiving_facility_id: UUID
    expected_version: int
    reason: str
    refused_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by shipment, like the proof."""
        return str(self.shipment_id)
