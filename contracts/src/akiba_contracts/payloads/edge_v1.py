"""Version 1 of the site stock document, kept as published: sites not yet upgraded still send it.

Its successor (`edge.SiteStockRecorded`, `….recorded.v2`) bounds every field; central reads a
v1 document with v2's bounds and voids one that falls outside them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.payloads.base import Payload
from akiba_contracts.payloads.inventory import MovementType

__all__ = ["MAX_DOCUMENT_LINES", "SiteDocumentType", "SiteMovementLine", "SiteStockRecorded"]

# Keeps one event well under Kafka's default 1 MiB message limit; larger documents (a big
# stocktake) are split by the site into several consecutive documents.
MAX_DOCUMENT_LINES = 1000


class SiteDocumentType(StrEnum):
    """What kind of document the site recorded; its lines carry the ledger kinds."""

    RECEIPT = "receipt"
    ISSUE = "issue"
    ADJUSTMENT = "adjustment"
    LOCATION_MOVE = "location_move"
    STOCKTAKE = "stocktake"
    SHIPMENT = "shipment"


class SiteMovementLine(BaseModel):
    """One ledger entry of a site document."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    movement_id: UUID = Field(description="Given at the site; central's ledger keeps it.")
    item_id: UUID
    lot_code: str = Field(min_length=1, description="The batch is (item, lot code).")
    expiry_date: date | None = Field(
        None, description="Expiry of a lot central may not know yet (ignored if it does)."
    )
    location_id: UUID | None = None
    movement_type: MovementType
    quantity: int = Field(
        description="Signed, in dispensing units: positive adds stock, negative removes it."
    )
    reason_id: UUID | None = Field(None, description="Required on adjustments.")


class SiteStockRecorded(Payload):
    """A stock document recorded at a site: its lines become consecutive ledger entries."""

    event_type: ClassVar[str] = "org.akiba.sync-gateway.stock-document.recorded.v1"

    document_id: UUID
    store_id: UUID = Field(description="A store the sending site (`siteid`) manages.")
    document_type: SiteDocumentType
    occurred_at: AwareDatetime = Field(description="When it happened at the site.")
    recorded_at: AwareDatetime = Field(description="When the site recorded it.")
    actor: str = Field(description="The site user who recorded it.")
    reference: str | None = Field(None, description="Free reference, e.g. a delivery note.")
    source: str | None = Field(None, description="The counterparty: where from or where to.")
    lines: list[SiteMovementLine] = Field(min_length=1, max_length=MAX_DOCUMENT_LINES)

    def partition_key(self) -> str:
        """Keyed by store so one store's documents stay in order."""
        return str(self.store_id)
