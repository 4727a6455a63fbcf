"""How central reads and judges one site document: identity, content and the right to write."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, ValidationError

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads.edge import SiteStockRecorded, placement
from akiba_contracts.payloads.inventory import MovementType
from akiba_inventory.adapters.edge import EdgeStore
from akiba_inventory.adapters.writers import SiteState
from akiba_stock.edge import EdgeDocument, EdgeLine
from akiba_stock.errors import InventoryError
from akiba_stock.ledger import LedgerKind

# The contract's movement types as the ledger's kinds, looked up (an Enum call per line was a
# sixtieth of edge ingest's CPU).
_KINDS = {t: LedgerKind(t.value) for t in MovementType}

__all__ = [
    "Identity",
    "SiteEvent",
    "UnreadableDocument",
    "Verdict",
    "authorize",
    "check_content",
    "identify",
    "read_document",
    "store_of",
]


class UnreadableDocument(ValueError):
    """What of a site document central cannot read; the message says why."""


@dataclass(frozen=True)
class Identity:
    """What places a document in its store's sequence, readable even when its content is not."""

    event_id: UUID
    site_id: UUID
    store_id: UUID
    first_sequence: int
    line_count: int
    site_version: int | None


SiteData = Annotated[SiteStockRecorded | dict[str, Any] | None, Field(union_mode="left_to_right")]


class SiteEvent(CloudEvent):
    """Site events as edge ingestion decodes them: a stock document's payload is validated with
    its envelope in one pass over the bytes (no dict in between, then a model from the dict);
    any other data (another event type, or a payload the contract refuses) stays a dict and is
    judged from it as before."""

    # A narrower field than CloudEvent's dict: the type checker cannot know a dict still fits.
    data: SiteData = None  # type: ignore[assignment]


def identify(event: CloudEvent, event_id: UUID | None = None) -> Identity:
    """Where the document goes; UnreadableDocument if that cannot be known (nothing to skip).

    `event_id` is the event's id already parsed (the consumer loop's, for the inbox).
    """
    if not event.siteid or event.storeseq is None:
        raise UnreadableDocument("a site event needs the siteid and storeseq extensions")
    try:
        store_id, line_count = _placement(event.data)
        site_id = _site_id(event.siteid)
        event_id = UUID(event.id) if event_id is None else event_id
    except ValueError as exc:
        raise UnreadableDocument(f"cannot place the document: {exc}") from None
    return Identity(event_id, site_id, store_id, event.storeseq, line_count, _version(event))


# A batch's documents come from a few sites: each one's id is parsed once, not per document.
_site_id = lru_cache(maxsize=4096)(UUID)


def _placement(data: object) -> tuple[UUID, int]:
    if isinstance(data, SiteStockRecorded):  # read with its envelope: its bounds already hold
        return data.store_id, len(data.lines)
    return placement(data if isinstance(data, Mapping) else {})


def store_of(event: CloudEvent) -> UUID | None:
    """The store a site event names, if it names one readably (for a refusal's record)."""
    data = event.data
    if isinstance(data, SiteStockRecorded):
        return data.store_id
    store = data.get("store_id") if isinstance(data, Mapping) else None
    try:
        return UUID(str(store)) if store else None
    except ValueError:
        return None


def _version(event: CloudEvent) -> int | None:
    value = getattr(event, "siteversion", None)
    return value if isinstance(value, int) else None


def read_document(ident: Identity, event: CloudEvent) -> EdgeDocument:
    """The document, read with the current contract's bounds whatever version it was sent as."""
    data: object = event.data  # typed already when decoded as a SiteEvent
    p = data if isinstance(data, SiteStockRecorded) else _validated(data)
    lines = tuple(
        EdgeLine(
            ln.movement_id, ln.item_id, ln.lot_code, ln.expiry_date, ln.location_id,
            _KINDS[ln.movement_type], ln.quantity, ln.reason_id,
        )
        for ln in p.lines
    )  # fmt: skip
    return EdgeDocument(
        ident.event_id, ident.site_id, p.store_id, ident.first_sequence, p.occurred_at, p.actor,
        p.reference, p.source, lines,
    )  # fmt: skip


def _validated(data: object) -> SiteStockRecorded:
    try:
        return SiteStockRecorded.model_validate(data)
    except ValidationError as exc:
        raise UnreadableDocument(f"invalid site document: {_first(exc)}") from None


def _first(exc: ValidationError) -> str:
    e = exc.errors(include_url=False, include_input=False)[0]
    return f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"


def check_content(doc: EdgeDocument, known: tuple[set[UUID], set[Any], set[UUID]]) -> None:
    """The ledger's rules hold and every item, location and reason named exists centrally."""
    try:
        doc.check()
    except InventoryError as exc:
        raise UnreadableDocument(str(exc)) from None
    items, locations, reasons = known
    for ln in doc.lines:
        if ln.item_id not in items:
            raise UnreadableDocument(f"item {ln.item_id} is unknown")
        if ln.location_id is not None and (doc.store_id, ln.location_id) not in locations:
            raise UnreadableDocument(f"location {ln.location_id} is not a location of the store")
        if ln.reason_id is not None and ln.reason_id not in reasons:
            raise UnreadableDocument(f"adjustment reason {ln.reason_id} is unknown")


class Verdict(Enum):
    """What a site's right to write a store allows a document now."""

    APPLY = "apply"
    WAIT = "wait"  # central may not know yet, or the writer is inactive: heals, never refused
    REFUSE = "refuse"


def authorize(ident: Identity, store: EdgeStore, site: SiteState | None) -> tuple[Verdict, str]:
    """The store's writer applies; a site central may be behind on waits; any other is refused.

    Central is behind when it has not heard of the site, or holds an older version of the
    site's record than the one the site recorded the document under.
    """
    if store.site_id == ident.site_id and site is not None and site.active:
        return Verdict.APPLY, ""
    if site is None or (ident.site_version or 0) > site.version:
        return Verdict.WAIT, (
            f"central has not yet seen site {ident.site_id}'s right to write store"
            f" {store.store_id}: held until it does"
        )
    if store.site_id == ident.site_id:
        return Verdict.WAIT, f"site {ident.site_id} is inactive: held until it is active again"
    writer = f"site {store.site_id}" if store.site_id else "central"
    return Verdict.REFUSE, (
        f"site {ident.site_id} does not write store {store.store_id} ({writer} does)"
    )
