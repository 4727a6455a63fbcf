"""Facts recorded at an edge site, and central's refusal of a site event.

A site (sync gateway) numbers the ledger entries of each store it manages 1, 2, 3, … with no
gaps. One `SiteStockRecorded` event carries one document (a receipt, an issue, a stocktake…)
whose lines take consecutive numbers: the event's `storeseq` extension is the number of its
first line, and line `i` (from 0) is ledger entry `storeseq + i`. The next document of the
store starts at `storeseq + len(lines)`. Central keeps those numbers as the store's ledger
sequence, so the site's stock card and the central one are the same list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.payloads.base import Payload
from akiba_contracts.payloads.edge_v1 import MAX_DOCUMENT_LINES, SiteDocumentType
from akiba_contracts.payloads.edge_v1 import SiteMovementLine as SiteMovementLineV1
from akiba_contracts.payloads.edge_v1 import SiteStockRecorded as SiteStockRecordedV1
from akiba_contracts.payloads.inventory import MovementType

__all__ = [
    "BATCH_NAMESPACE",
    "MAX_DOCUMENT_LINES",
    "MAX_QUANTITY",
    "SITE_DOCUMENT_TYPES",
    "EdgeDocumentsApplied",
    "EdgeEventRejected",
    "EdgeRefusal",
    "EdgeStoreResumed",
    "EdgeStoreStalled",
    "SiteDocumentType",
    "SiteMovementLine",
    "SiteMovementLineV1",
    "SiteStockRecorded",
    "SiteStockRecordedV1",
    "SiteWriteRefused",
    "StallCause",
    "edge_batch_id",
    "placement",
]

BATCH_NAMESPACE = UUID("6f1c5d2e-3b8a-5c4f-9e7d-a1b2c3d4e5f6")
"""uuid5 namespace of batch ids a site creates offline: `edge_batch_id(item_id, lot_code)`."""


# Remembered: a lot is named again by every document that moves it (edge ingest asks once per
# lot in each consumer batch), and a uuid5 is a SHA-1 and a UUID built in Python each time.
@lru_cache(maxsize=65_536)
def edge_batch_id(item_id: UUID, lot_code: str) -> UUID:
    """The batch id a site gives a lot it creates offline; the same everywhere it is computed."""
    return uuid5(BATCH_NAMESPACE, f"{item_id}:{lot_code}")


# Text a site sends ends up in PostgreSQL text columns and on stock cards: no control
# characters (PostgreSQL refuses NUL outright), and bounded like the HTTP models that made it.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
Text = Annotated[str, Field(max_length=200, pattern=_PRINTABLE)]
LotCode = Annotated[str, Field(min_length=1, max_length=64, pattern=_PRINTABLE)]
MAX_QUANTITY = 2**31 - 1
"""The ledger keeps a line's quantity in a 32-bit integer column."""


class SiteMovementLine(BaseModel):
    """One ledger entry of a site document."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    movement_id: UUID = Field(description="Given at the site; central's ledger keeps it.")
    item_id: UUID
    lot_code: LotCode = Field(description="The batch is (item, lot code).")
    expiry_date: date | None = Field(
        None, description="Expiry of a lot central may not know yet (ignored if it does)."
    )
    location_id: UUID | None = None
    movement_type: MovementType
    quantity: int = Field(
        ge=-MAX_QUANTITY,
        le=MAX_QUANTITY,
        description="Signed, in dispensing units: positive adds stock, negative removes it.",
    )
    reason_id: UUID | None = Field(None, description="Required on adjustments.")


class SiteStockRecorded(Payload):
    """A stock document recorded at a site: its lines become consecutive ledger entries."""

    event_type: ClassVar[str] = "org.akiba.sync-gateway.stock-document.recorded.v2"

    document_id: UUID
    store_id: UUID = Field(description="A store the sending site (`siteid`) manages.")
    document_type: SiteDocumentType
    occurred_at: AwareDatetime = Field(description="When it happened at the site.")
    recorded_at: AwareDatetime = Field(description="When the site recorded it.")
    actor: Text = Field(min_length=1, description="The site user who recorded it.")
    reference: Text | None = Field(None, description="Free reference, e.g. a delivery note.")
    source: Text | None = Field(None, description="The counterparty: where from or where to.")
    lines: list[SiteMovementLine] = Field(min_length=1, max_length=MAX_DOCUMENT_LINES)

    def partition_key(self) -> str:
        """Keyed by store so one store's documents stay in order."""
        return str(self.store_id)


SITE_DOCUMENT_TYPES = frozenset({SiteStockRecorded.event_type, SiteStockRecordedV1.event_type})
"""The event types of site documents central accepts (v1 from sites not yet upgraded)."""


def placement(data: Mapping[str, Any]) -> tuple[UUID, int]:
    """The store a site document writes and how many sequence numbers it takes, read from its
    data whatever else it holds; ValueError if either cannot be read (nothing can be skipped
    for such a document, so it is refused rather than voided)."""
    try:
        store_id = UUID(str(data.get("store_id")))
    except ValueError:
        raise ValueError("data.store_id must be a UUID") from None
    lines = data.get("lines")
    if not isinstance(lines, list) or not 1 <= len(lines) <= MAX_DOCUMENT_LINES:
        raise ValueError(f"data.lines must hold 1 to {MAX_DOCUMENT_LINES} lines")
    return store_id, len(lines)


class EdgeRefusal(StrEnum):
    """Why central refused a site document."""

    MALFORMED = "malformed"
    """Its envelope or identity (store, sequence, lines) cannot be read: nothing can be skipped."""
    AUTHORIZATION = "authorization"
    """The site does not write the store (any more): refused, the store's sequence untouched."""
    CONTENT = "content"
    """The site writes the store but the document cannot apply: voided (its run skipped)."""
    CONFLICT = "conflict"
    """Another document already holds its store sequence (two writers, a restored or cloned
    gateway): refused, reported to the site and to operations; central's ledger is unchanged."""
    OUT_OF_WINDOW = "out_of_window"
    """Its sequence is too far ahead of the store's next one to be held."""


class EdgeEventRejected(Payload):
    """Central refused a site event: nothing of it was applied and it went to the dead letters."""

    event_type: ClassVar[str] = "org.akiba.inventory.edge-event.rejected.v1"

    event_id: str = Field(description="The refused CloudEvent's id.")
    event_type_received: str = Field(description="The refused CloudEvent's type.")
    site_id: str | None = Field(description="The `siteid` it claimed, if any.")
    store_id: UUID | None = Field(description="The store it would have written, if readable.")
    store_sequence: int | None = Field(description="Its `storeseq`, if any.")
    reason: str
    rejected_at: AwareDatetime
    voided: bool = Field(
        False,
        description="The site may write the store but the document itself is refused: central"
        " skips its sequence numbers so the store's later documents apply, and the site voids"
        " the document's entries in its own ledger.",
    )
    kind: EdgeRefusal | None = Field(
        None, description="Why it was refused (absent from records written before v1.1)."
    )

    def partition_key(self) -> str:
        """Keyed by the claimed site, so one site's refusals stay together."""
        return self.site_id or "unknown"


class EdgeDocumentsApplied(Payload):
    """Central applied a store's site documents up to (not including) `next_sequence`.

    Published once per store per ingestion batch that moved the store's sequence; compacted by
    store, so the latest record is how far central's ledger of the store goes. The site marks
    every event of the store whose lines all lie below `next_sequence` as synced.
    """

    event_type: ClassVar[str] = "org.akiba.inventory.edge-documents.applied.v1"

    store_id: UUID
    site_id: UUID = Field(description="The site that manages the store (and sent its documents).")
    next_sequence: int = Field(ge=1, description="The store's next expected ledger sequence.")
    applied_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by store: the latest acknowledgement per store is current."""
        return str(self.store_id)


class SiteWriteRefused(Payload):
    """The sync hub refused a site's event before it reached Kafka: a security or content alert."""

    event_type: ClassVar[str] = "org.akiba.sync-hub.site-write.refused.v1"

    site_id: UUID = Field(description="The authenticated site that sent it.")
    event_id: str
    store_id: UUID | None = Field(description="The store it would have written, if readable.")
    reason: str
    refused_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by the sending site, so one site's refusals stay together."""
        return str(self.site_id)


class StallCause(StrEnum):
    """What a stalled store's next document waits for."""

    GAP = "gap"
    """Documents arrived ahead of a sequence number central has not received."""
    AUTHORIZATION = "authorization"
    """Central has not yet seen the site's right to write the store (or the site is inactive)."""


class EdgeStoreStalled(Payload):
    """A site-managed store's documents have waited longer than the threshold: an alert."""

    event_type: ClassVar[str] = "org.akiba.inventory.edge-store.stalled.v1"

    store_id: UUID
    site_id: UUID | None = Field(description="The site whose documents wait.")
    cause: StallCause
    next_sequence: int = Field(ge=1, description="The sequence central waits for.")
    held_documents: int = Field(ge=1, description="Documents held ahead of it.")
    oldest_held_sequence: int = Field(ge=1)
    oldest_held_since: AwareDatetime = Field(description="When the oldest held document arrived.")
    detected_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by store: the latest record per store says whether it is stalled."""
        return str(self.store_id)


class EdgeStoreResumed(Payload):
    """A stalled store's held documents applied (or were refused): the alert is over."""

    event_type: ClassVar[str] = "org.akiba.inventory.edge-store.resumed.v1"

    store_id: UUID
    next_sequence: int = Field(ge=1)
    resumed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by store, like the stall it ends."""
        return str(self.store_id)
