"""Edge ingestion: site documents applied once, in each store's sequence, only from its site.

Per consumer batch: refuse what the sending site may not write (dead letter + an alert on
inventory.edge-rejections); lock the stores; plan each store's run from its next sequence
with the documents it holds; apply that run through the ledger (`central=False`: facts below
zero are accepted and listed in edge_negative_stock); hold what is ahead of a gap.

A document the site may write but whose content is refused (an unknown item, a receipt with
a negative quantity…) is voided rather than left as a gap: refused and alerted all the same,
its run of sequence numbers is skipped in order, so the store's later documents still apply;
the rejection says `voided` and the site voids the document in its own ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID

from akiba_contracts.envelope import CloudEvent, decode, new_event
from akiba_contracts.payloads.edge import (
    EdgeDocumentsApplied,
    EdgeEventRejected,
    SiteStockRecorded,
    edge_batch_id,
)
from akiba_inventory.adapters.edge import AsyncpgEdgeRepository, EdgeStore, PendingRef, Rejection
from akiba_inventory.handlers import post_and_publish
from akiba_inventory.outbound import SOURCE
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform.auth.feed import SiteDirectory
from akiba_platform.consumer import Delivery, Rejected
from akiba_platform.db import Connection
from akiba_platform.errors import PermanentError
from akiba_platform.outbox import OutboxMessage
from akiba_stock.edge import EdgeDocument, EdgeLine, plan
from akiba_stock.errors import InventoryError
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import Batch

NAME = "inventory.edge-ingestion"
TOPIC = "sites.inventory-events"
REJECTIONS = "inventory.edge-rejections"
ACKS = "inventory.edge-acks"


class EdgeRejected(PermanentError):
    """A site event that may never be applied: wrong site, wrong store or invalid content."""


@dataclass(frozen=True)
class Arrival:
    """A document and the raw event it came in (kept verbatim while it is held)."""

    doc: EdgeDocument
    raw: bytes
    voided: bool = False

    @property
    def event_id(self) -> UUID:
        """The event id, which identifies a held document."""
        return self.doc.event_id

    @property
    def first_sequence(self) -> int:
        """Where its run starts."""
        return self.doc.first_sequence

    @property
    def line_count(self) -> int:
        """How long its run is."""
        return self.doc.line_count


def document(event: CloudEvent) -> EdgeDocument:
    """The document an event carries; EdgeRejected if it cannot be read."""
    if not event.siteid or event.storeseq is None:
        raise EdgeRejected("a site event needs the siteid and storeseq extensions")
    try:
        site_id = UUID(event.siteid)
        p = SiteStockRecorded.model_validate(event.data)
    except ValueError as exc:
        raise EdgeRejected(f"invalid site event: {exc}") from None
    lines = tuple(
        EdgeLine(
            ln.movement_id, ln.item_id, ln.lot_code, ln.expiry_date, ln.location_id,
            LedgerKind(ln.movement_type.value), ln.quantity, ln.reason_id,
        )
        for ln in p.lines
    )  # fmt: skip
    return EdgeDocument(
        UUID(event.id), site_id, p.store_id, event.storeseq, p.occurred_at, p.actor,
        p.reference, p.source, lines,
    )  # fmt: skip


def authorize(doc: EdgeDocument, sites: SiteDirectory, store: EdgeStore | None) -> None:
    """Only an active site writes, and only the site-managed stores it manages."""
    site = sites.sites.get(doc.site_id)
    if site is None:
        raise EdgeRejected(f"site {doc.site_id} is unknown")
    if not site.active:
        raise EdgeRejected(f"site {doc.site_id} is inactive")
    if not sites.manages(doc.site_id, doc.store_id):
        raise EdgeRejected(f"site {doc.site_id} does not manage store {doc.store_id}")
    if store is None or store.managed_by != "site":
        raise EdgeRejected(f"store {doc.store_id} is not a site-managed store here")


def check_content(doc: EdgeDocument, known: tuple[set[UUID], set[object], set[UUID]]) -> None:
    """The ledger's rules hold and every item, location and reason named exists centrally."""
    try:
        doc.check()
    except InventoryError as exc:
        raise EdgeRejected(str(exc)) from None
    items, locations, reasons = known
    for ln in doc.lines:
        if ln.item_id not in items:
            raise EdgeRejected(f"item {ln.item_id} is unknown")
        if ln.location_id is not None and (doc.store_id, ln.location_id) not in locations:
            raise EdgeRejected(f"location {ln.location_id} is not a location of the store")
        if ln.reason_id is not None and ln.reason_id not in reasons:
            raise EdgeRejected(f"adjustment reason {ln.reason_id} is unknown")


class EdgeIngestor:
    """The ConsumerLoop batch handler of sites.inventory-events."""

    def __init__(self, sites: SiteDirectory):
        self._sites = sites

    async def __call__(self, conn: Connection, deliveries: Sequence[Delivery]) -> list[Rejected]:
        """Apply, skip, hold or refuse every delivery; the loop dead-letters the refused."""
        batch = _Batch(conn, self._sites)
        await batch.run(deliveries)
        await self._record_refusals(batch)
        await batch.uow.commit()
        return [Rejected(d, f"EdgeRejected: {r.reason}") for r, d in batch.refused]

    async def _record_refusals(self, batch: _Batch) -> None:
        """Keep a rejection row and raise an alert: ops must see what a site tried to write."""
        if not batch.refused:
            return
        now = datetime.now(UTC)
        fresh = await batch.repo.reject([r for r, _ in batch.refused])
        batch.uow.publish(*(_alert(r, now) for r, _ in batch.refused if r.event_id in fresh))


class _Batch:
    """One consumer batch on one connection."""

    def __init__(self, conn: Connection, sites: SiteDirectory) -> None:
        self.repo = AsyncpgEdgeRepository(conn)
        self.uow = InventoryUnitOfWork.joining(conn)
        self.sites = sites
        self.refused: list[tuple[Rejection, Delivery]] = []
        self.now = datetime.now(UTC)

    async def run(self, deliveries: Sequence[Delivery]) -> None:
        arrivals = self._read(deliveries)
        stores = await self.repo.lock_stores({a.doc.store_id for a, _ in arrivals})
        arrivals = self._keep(
            arrivals, lambda a: authorize(a.doc, self.sites, stores.get(a.doc.store_id))
        )
        if arrivals:
            known = await self.repo.known([a.doc for a, _ in arrivals])
            arrivals = self._keep(arrivals, lambda a: check_content(a.doc, known), void=True)
        await self._sequence([a for a, _ in arrivals], stores)

    def _read(self, deliveries: Sequence[Delivery]) -> list[tuple[Arrival, Delivery]]:
        out = []
        for d in deliveries:
            if d.event.type != SiteStockRecorded.event_type:
                continue  # other site events on the topic are not inventory's
            try:
                out.append((Arrival(document(d.event), d.record.value or b""), d))
            except EdgeRejected as exc:
                self.refused.append((_rejection(d.event, str(exc)), d))
        return out

    def _keep(
        self,
        arrivals: list[tuple[Arrival, Delivery]],
        check: Callable[[Arrival], None],
        *,
        void: bool = False,
    ) -> list[tuple[Arrival, Delivery]]:
        """What passes the check; the rest refused, and kept voided if `void`."""
        kept = []
        for a, d in arrivals:
            try:
                check(a)
                kept.append((a, d))
            except EdgeRejected as exc:
                self.refused.append((_rejection(d.event, str(exc), voided=void), d))
                if void:
                    kept.append((replace(a, voided=True), d))
        return kept

    async def _sequence(self, arrivals: list[Arrival], stores: dict[UUID, EdgeStore]) -> None:
        by_store: dict[UUID, list[Arrival | PendingRef]] = defaultdict(list)
        for ref in await self.repo.pending({a.doc.store_id for a in arrivals}):
            by_store[ref.store_id].append(ref)
        for a in arrivals:
            by_store[a.doc.store_id].append(a)
        plans = {s: plan(stores[s].next_sequence, c) for s, c in by_store.items()}
        held_refs = {
            c.event_id
            for p in plans.values()
            for c in p.apply + p.duplicates
            if isinstance(c, PendingRef)
        }
        bodies = await self.repo.take_pending(held_refs)
        runs = {s: [_arrival(c, bodies) for c in p.apply] for s, p in plans.items() if p.apply}
        await self._apply(runs)
        await self.repo.hold(
            [
                (c.doc, c.raw, c.voided)
                for p in plans.values()
                for c in p.held
                if isinstance(c, Arrival)
            ]
        )

    async def _apply(self, runs: dict[UUID, list[Arrival]]) -> None:
        if not runs:
            return
        await self._post([a.doc for run in runs.values() for a in run if not a.voided])
        await self.repo.advance({s: _next(run) for s, run in runs.items() if run[-1].voided})
        self.uow.publish(*(_applied(run, self.now) for run in runs.values()))

    async def _post(self, docs: list[EdgeDocument]) -> None:
        if not docs:
            return
        lots = {(ln.item_id, ln.lot_code): ln.expiry_date for d in docs for ln in d.lines}
        # One Batch (and one uuid5) per distinct lot, not per line: a batch has few lots.
        batches = await self.repo.batches(
            {(i, lot): Batch(edge_batch_id(i, lot), i, lot, exp) for (i, lot), exp in lots.items()}
        )
        # Every store's run in one posting: the statements are set-based over stores, and a
        # posting per store made a consumer batch fifty round trips of each statement.
        movements = [m for d in docs for m in d.movements(batches, self.now)]
        levels = await post_and_publish(self.uow, movements, central=False)
        await self.repo.flag_negative(levels)


def _next(run: list[Arrival]) -> int:
    """The store's next sequence after a run."""
    return run[-1].doc.first_sequence + run[-1].doc.line_count


def _applied(run: list[Arrival], now: datetime) -> OutboxMessage:
    """The acknowledgement of a store's applied run: how far central's ledger of it now goes."""
    last = run[-1].doc
    payload = EdgeDocumentsApplied(
        store_id=last.store_id,
        site_id=last.site_id,
        next_sequence=_next(run),
        applied_at=now,
    )
    key = payload.partition_key()
    event = new_event(
        source=SOURCE, type=payload.event_type, subject=f"stores/{key}", data=payload,
        partitionkey=key,
    )  # fmt: skip
    return OutboxMessage(ACKS, key, event)


def _arrival(c: Arrival | PendingRef, bodies: dict[UUID, bytes]) -> Arrival:
    if isinstance(c, Arrival):
        return c
    raw = bodies[c.event_id]
    return Arrival(document(decode(raw)), raw, c.voided)


def _rejection(event: CloudEvent, reason: str, *, voided: bool = False) -> Rejection:
    store = (event.data or {}).get("store_id")
    try:
        store_id = UUID(str(store)) if store else None
    except ValueError:
        store_id = None
    return Rejection(event.id, event.type, event.siteid, store_id, event.storeseq, reason, voided)


def _alert(r: Rejection, now: datetime) -> OutboxMessage:
    payload = EdgeEventRejected(
        event_id=r.event_id,
        event_type_received=r.event_type,
        site_id=r.site_id,
        store_id=r.store_id,
        store_sequence=r.store_sequence,
        reason=r.reason,
        rejected_at=now,
        voided=r.voided,
    )
    key = payload.partition_key()
    event = new_event(
        source=SOURCE, type=payload.event_type, subject=f"events/{r.event_id}",
        data=payload, partitionkey=key,
    )  # fmt: skip
    return OutboxMessage(REJECTIONS, key, event)
