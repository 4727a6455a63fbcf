"""Edge ingestion: site documents applied once, in each store's sequence, only from its writer.

One consumer reads the sites' documents and auth's site records, so the right to write a
store and the documents that use it are applied in one place. Per batch:

1. Site records update who writes each store (`consumers/edge/writers.py`).
2. Each document's identity is read (store, first sequence, line count, site), or it is refused
   as malformed; one too far ahead of its store's next sequence is refused.
3. The stores are locked and every document, new or held, is authorised against the store's
   writer *now*: the writer's documents may apply; a site central has not yet heard of at the
   document's site version, or an inactive writer, waits (held, never refused early); any
   other site is refused.
4. Each store is planned from its next sequence with its held documents (`plan`): the run
   applies, what is ahead or waits is held, and a document on a sequence already taken is a
   duplicate (the same document again) or a conflict (another one: refused, reported to the
   site and alerted, never acknowledged as applied).
5. A document whose content central cannot apply (unknown item, broken ledger rule, or a
   value the database refuses) is voided: refused and alerted, its run skipped in order so
   the store's later documents apply; the site voids it too.

Every refusal is kept in edge_rejections, published on inventory.edge-rejections (the sending
site reads it in its feed) and, for documents of this batch, dead-lettered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID

from pydantic import ValidationError

from akiba_contracts.envelope import decode
from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import SITE_DOCUMENT_TYPES, EdgeRefusal, SiteStockRecorded
from akiba_inventory.adapters.edge import (
    EdgeStore,
    Held,
    Occupant,
    PendingRef,
    Rejection,
)
from akiba_inventory.consumers.edge.events import acknowledgement, refusal
from akiba_inventory.consumers.edge.posting import post_runs
from akiba_inventory.consumers.edge.rules import (
    Identity,
    SiteEvent,
    Verdict,
    authorize,
    check_content,
    identify,
    read_document,
    store_of,
)
from akiba_inventory.consumers.edge.writers import apply_sites
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import Connection, Delivery, Rejected
from akiba_stock.edge import EdgeDocument, Plan, plan

NAME = "inventory.edge-ingestion"
TOPIC = "sites.inventory-events"
SITES = "auth.sites"
TOPICS = (TOPIC, SITES)


@dataclass(frozen=True)
class EdgeRules:
    """Limits of edge ingestion (settings)."""

    max_ahead: int = 1_000_000
    """How far past its store's next sequence a document may be held; further is refused."""
    drain_per_store: int = 2_000
    """Held documents planned per store in one transaction (the rest in the next ones)."""


@dataclass(frozen=True)
class Candidate:
    """A document to plan: one that arrived in this batch, or one held from before."""

    ident: Identity
    event_type: str
    doc: EdgeDocument | None = None
    raw: bytes | None = None
    unreadable: str | None = None  # why its content cannot be read (it is voided if placed)
    delivery: Delivery | None = None
    held: PendingRef | None = None

    @property
    def event_id(self) -> UUID:
        """The event id, which identifies a document."""
        return self.ident.event_id

    @property
    def first_sequence(self) -> int:
        """Where its run starts."""
        return self.ident.first_sequence

    @property
    def line_count(self) -> int:
        """How long its run is."""
        return self.ident.line_count


class EdgeIngestor:
    """The ConsumerLoop batch handler of sites.inventory-events and auth.sites."""

    def __init__(self, rules: EdgeRules | None = None) -> None:
        self._rules = rules or EdgeRules()

    async def __call__(self, conn: Connection, deliveries: Sequence[Delivery]) -> list[Rejected]:
        """Apply site records, then apply, hold or refuse every document; dead-letter refusals."""
        batch = EdgeBatch(conn, self._rules)
        touched = await batch.sites(
            [d for d in deliveries if d.event.type == SiteChanged.event_type]
        )
        await batch.documents(
            [d for d in deliveries if d.event.type in SITE_DOCUMENT_TYPES], touched
        )
        return await batch.finish()


class EdgeBatch:
    """One transaction of edge ingestion (a consumer batch, or a drain of held documents)."""

    def __init__(self, conn: Connection, rules: EdgeRules) -> None:
        self.uow = InventoryUnitOfWork.joining(conn)
        self.rules = rules
        self.refused: list[tuple[Rejection, Delivery | None]] = []
        self.bad_records: list[Rejected] = []
        self.now = datetime.now(UTC)
        self._voided: set[UUID] = set()

    async def sites(self, deliveries: Sequence[Delivery]) -> set[UUID]:
        """Take auth's latest word on who writes which store; return the stores it touched."""
        records = []
        for d in deliveries:
            try:
                records.append(SiteChanged.model_validate(d.event.data or {}))
            except ValidationError as exc:
                self.bad_records.append(Rejected(d, f"invalid site record: {exc}"))
        if not records:
            return set()
        moved = await apply_sites(self.uow, records)
        return {m.store_id for m in moved} | {s for r in records for s in r.store_ids}

    async def documents(self, deliveries: Sequence[Delivery], touched: set[UUID]) -> None:
        """Plan the stores these documents write (and those whose writer just changed, so what
        they hold moves at once), each with the documents it holds."""
        arrivals = [c for c in map(self._arrival, deliveries) if c is not None]
        holding = set(await self.uow.edge.stores_holding(touched)) if touched else set()
        stores = {c.ident.store_id for c in arrivals} | holding
        if stores:
            await self.plan_stores(stores, arrivals)

    async def drain(self, store_ids: Iterable[UUID]) -> None:
        """Plan stores with nothing new: held documents that can now apply, or be refused."""
        await self.plan_stores(set(store_ids), [])

    async def finish(self) -> list[Rejected]:
        """Record and announce the refusals, queue the events; return what to dead-letter."""
        if self.refused:
            fresh = await self.uow.edge.reject([r for r, _ in self.refused])
            self.uow.publish(
                *(refusal(r, self.now) for r, _ in self.refused if r.event_id in fresh)
            )
        await self.uow.commit()
        dead = [Rejected(d, f"EdgeRejected: {r.reason}") for r, d in self.refused if d]
        return dead + self.bad_records

    def _arrival(self, d: Delivery) -> Candidate | None:
        try:
            ident = identify(d.event, d.event_id)
        except ValueError as exc:
            self._refuse_event(d, str(exc))
            return None
        raw = d.record.value or b""
        try:
            return Candidate(ident, d.event.type, read_document(ident, d.event), raw, delivery=d)
        except ValueError as exc:  # unreadable content: voided if the site may write the store
            return Candidate(ident, d.event.type, None, raw, unreadable=str(exc), delivery=d)

    async def plan_stores(self, store_ids: set[UUID], arrivals: list[Candidate]) -> None:
        """Authorise, plan, apply and hold, store by store, under the stores' locks."""
        stores = await self.uow.edge.lock_stores(store_ids)
        arrivals = [c for c in arrivals if self._placeable(c, stores.get(c.ident.store_id))]
        refs = await self.uow.edge.pending(stores, self.rules.drain_per_store)
        held = [Candidate(_identity(r), SiteStockRecorded.event_type, held=r) for r in refs]
        candidates = held + arrivals
        sites = await self.uow.writers.sites({c.ident.site_id for c in candidates})
        verdicts = {
            c.event_id: authorize(c.ident, stores[c.ident.store_id], sites.get(c.ident.site_id))
            for c in candidates
        }
        candidates = await self._authorised(candidates, verdicts)
        # The store's writer claims a sequence before a site central is not sure of yet.
        candidates.sort(key=lambda c: verdicts[c.event_id][0] is not Verdict.APPLY)
        by_store: dict[UUID, list[Candidate]] = defaultdict(list)
        for c in candidates:
            by_store[c.ident.store_id].append(c)

        def ready(c: Candidate) -> bool:
            return verdicts[c.event_id][0] is Verdict.APPLY

        plans = {s: plan(stores[s].next_sequence, cs, ready) for s, cs in by_store.items()}
        await self._settle_taken(plans)
        await self._check_content([c for p in plans.values() for c in p.apply + p.held])
        runs = await self._runs(plans)
        await post_runs(self, runs)
        await self._hold(plans, verdicts)

    def _placeable(self, c: Candidate, store: EdgeStore | None) -> bool:
        if store is None:
            self._refuse(c, f"store {c.ident.store_id} does not exist", EdgeRefusal.AUTHORIZATION)
            return False
        if c.first_sequence > store.next_sequence + self.rules.max_ahead:
            why = (
                f"store sequence {c.first_sequence} is more than {self.rules.max_ahead} ahead of"
                f" the store's next one ({store.next_sequence})"
            )
            self._refuse(c, why, EdgeRefusal.OUT_OF_WINDOW)
            return False
        return True

    async def _authorised(
        self, candidates: list[Candidate], verdicts: dict[UUID, tuple[Verdict, str]]
    ) -> list[Candidate]:
        kept, dropped = [], []
        for c in candidates:
            verdict, why = verdicts[c.event_id]
            if verdict is not Verdict.REFUSE:
                kept.append(c)
                continue
            self._refuse(c, why, EdgeRefusal.AUTHORIZATION)
            if c.held is not None:
                dropped.append(c.event_id)
        await self.uow.edge.drop_pending(dropped)
        return kept

    async def _settle_taken(self, plans: dict[UUID, Plan[Candidate]]) -> None:
        """A document on a taken sequence: the same document again, or a conflict."""
        taken = [c for p in plans.values() for c in p.taken]
        if not taken:
            return
        bodies = await self.uow.edge.take_pending([c.event_id for c in taken if c.held])
        taken = [_loaded(c, bodies) for c in taken]
        occupants = _in_plan(plans)
        wanted = {(c.ident.store_id, c.first_sequence) for c in taken}
        stored = await self.uow.edge.occupants(wanted - set(occupants))
        for c in taken:
            key = (c.ident.store_id, c.first_sequence)
            same, what = _same_document(c, occupants.get(key), stored.get(key))
            if not same:
                self._refuse(c, _conflict(c, what), EdgeRefusal.CONFLICT)

    async def _check_content(self, candidates: list[Candidate]) -> None:
        """New documents the site may write: void those central cannot apply."""
        fresh = [c for c in candidates if c.held is None]
        docs = [c.doc for c in fresh if c.doc is not None]
        known = await self.uow.edge.known(docs) if docs else (set(), set(), set())
        for c in fresh:
            reason = c.unreadable
            if reason is None and c.doc is not None:
                try:
                    check_content(c.doc, known)
                except ValueError as exc:
                    reason = str(exc)
            if reason is not None:
                self.void(c, reason)

    def void(self, c: Candidate, reason: str) -> None:
        """Refuse a document the site may write: its run is skipped and the site voids it."""
        self._voided.add(c.event_id)
        self._refuse(c, reason, EdgeRefusal.CONTENT, voided=True)

    def is_voided(self, c: Candidate) -> bool:
        """Whether the document is skipped rather than posted."""
        return (c.held is not None and c.held.voided) or c.event_id in self._voided

    async def _runs(self, plans: dict[UUID, Plan[Candidate]]) -> dict[UUID, list[Candidate]]:
        """Each store's run to apply, with the bodies of the held documents in it."""
        runs = {s: list(p.apply) for s, p in plans.items() if p.apply}
        wanted = [c.event_id for run in runs.values() for c in run if c.held is not None]
        bodies = await self.uow.edge.take_pending(wanted)
        return {s: [_loaded(c, bodies) for c in run] for s, run in runs.items()}

    async def _hold(
        self, plans: dict[UUID, Plan[Candidate]], verdicts: dict[UUID, tuple[Verdict, str]]
    ) -> None:
        def waiting(c: Candidate) -> bool:
            return verdicts[c.event_id][0] is Verdict.WAIT

        held = [c for p in plans.values() for c in p.held]
        await self.uow.edge.set_awaiting(
            {c.event_id: waiting(c) for c in held if c.held is not None}
        )
        new = [c for c in held if c.held is None]
        clashed = await self.uow.edge.hold([_keep(c, self.is_voided(c), waiting(c)) for c in new])
        if clashed:  # beyond the held documents planned here: compare with the one kept there
            await self._clashes([c for c in new if c.event_id in clashed])

    async def _clashes(self, clashed: list[Candidate]) -> None:
        kept = await self.uow.edge.held_at({(c.ident.store_id, c.first_sequence) for c in clashed})
        for c in clashed:
            other = kept.get((c.ident.store_id, c.first_sequence))
            if other != c.event_id:
                self._refuse(c, _conflict(c, f"held document {other}"), EdgeRefusal.CONFLICT)

    def _refuse(
        self, c: Candidate, reason: str, kind: EdgeRefusal, *, voided: bool = False
    ) -> None:
        i = c.ident
        r = Rejection(
            str(i.event_id), c.event_type, str(i.site_id), i.store_id, i.first_sequence, reason,
            voided, kind.value, i.line_count,
        )  # fmt: skip
        self.refused.append((r, c.delivery))

    def _refuse_event(self, d: Delivery, reason: str) -> None:
        e = d.event
        r = Rejection(
            e.id, e.type, e.siteid, store_of(e), e.storeseq, reason, False,
            EdgeRefusal.MALFORMED.value,
        )  # fmt: skip
        self.refused.append((r, d))

    def acknowledge(self, runs: dict[UUID, list[Candidate]]) -> None:
        """Tell each store's site how far central's ledger of it now goes."""
        for run in runs.values():
            last = run[-1].ident
            nxt = last.first_sequence + last.line_count
            self.uow.publish(acknowledgement(last.store_id, last.site_id, nxt, self.now))


def _identity(r: PendingRef) -> Identity:
    return Identity(
        r.event_id, r.site_id, r.store_id, r.first_sequence, r.line_count, r.site_version
    )


def _loaded(c: Candidate, bodies: dict[UUID, bytes]) -> Candidate:
    """A held candidate with its document read from the body kept with it."""
    raw = bodies.get(c.event_id)
    if c.held is None or raw is None:
        return c
    event = decode(raw, SiteEvent)
    doc = None if c.held.voided else read_document(c.ident, event)
    return replace(c, doc=doc, raw=raw, event_type=event.type)


def _in_plan(plans: dict[UUID, Plan[Candidate]]) -> dict[tuple[UUID, int], Candidate]:
    """Every (store, sequence) a planned document occupies (its whole run when it applies)."""
    found: dict[tuple[UUID, int], Candidate] = {}
    for p in plans.values():
        for c in p.apply:
            for seq in range(c.first_sequence, c.first_sequence + c.line_count):
                found[(c.ident.store_id, seq)] = c
        for c in p.held:
            found[(c.ident.store_id, c.first_sequence)] = c
    return found


def _same_document(
    c: Candidate, planned: Candidate | None, stored: Occupant | None
) -> tuple[bool, str]:
    """Whether what holds c's sequence (planned here, or stored) is c itself; and what it is."""
    if planned is not None:
        same = planned.event_id == c.event_id or _first_movement(planned) == _first_movement(c)
        return same, f"document {planned.event_id}, {'held' if planned.held else 'applying now'}"
    movement = stored.movement_id if stored else None
    voided_by = stored.event_id if stored else None
    if movement is not None:
        return movement == _first_movement(c), f"the ledger entry of movement {movement}"
    return voided_by == str(c.event_id), f"voided document {voided_by}"


def _first_movement(c: Candidate) -> UUID | None:
    return c.doc.lines[0].movement_id if c.doc is not None and c.doc.lines else None


def _conflict(c: Candidate, what: str) -> str:
    return (
        f"store sequence {c.first_sequence} of store {c.ident.store_id} is already taken by"
        f" {what}: this document was refused and nothing of it applied (two writers of one"
        " store, or a gateway restored from an old backup or cloned)"
    )


def _keep(c: Candidate, voided: bool, awaiting: bool) -> Held:
    i = c.ident
    return Held(
        i.event_id, i.store_id, i.first_sequence, i.line_count, i.site_id, c.raw or b"",
        voided, awaiting, i.site_version,
    )  # fmt: skip


__all__ = [
    "NAME",
    "SITES",
    "TOPIC",
    "TOPICS",
    "EdgeBatch",
    "EdgeIngestor",
    "EdgeRules",
    "SiteEvent",
]
