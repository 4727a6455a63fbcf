"""The facility's side of a requisition at the site, offline or not: initiate (computed from
the site's own ledger by the rules central uses), edit, submit, authorize, send, skip, delete.

Each runs on the writer thread in one transaction: the document and its step's outbox event
commit together. Approval, rejection and release happen centrally and come back on the feed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from akiba_contracts.payloads import RequisitionKind, SiteRequisitionStep
from akiba_contracts.rights import Right
from akiba_replenish import Edit, Period, Requisition, RequisitionError
from akiba_replenish.access import Rights, at_facility
from akiba_replenish.documents import Document
from akiba_replenish.drafting import (
    ISA,
    Lines,
    averaging_run,
    choose_template,
    emergency_lines,
    internal_lines,
    program_lines,
)
from akiba_replenish.periods import current, next_regular
from akiba_sync_gateway.adapters.store import SiteStore, Tx
from akiba_sync_gateway.requisitions import store
from akiba_sync_gateway.requisitions.catalogue import NotKnownHere, SiteCatalogue
from akiba_sync_gateway.requisitions.events import step_event
from akiba_sync_gateway.requisitions.figures import SiteLedgerFigures

Step = SiteRequisitionStep


@dataclass(frozen=True)
class Site:
    """Who records: this site, the user, and when."""

    site_id: UUID
    gate: Rights
    now: datetime

    @property
    def today(self) -> date:
        """The day it is (UTC), for periods."""
        return self.now.date()


def initiate(
    c: sqlite3.Connection,
    site: Site,
    facility_id: UUID,
    program_id: UUID,
    emergency: bool = False,
    orderable_ids: Sequence[UUID] | None = None,
) -> Document:
    """Start the program requisition of the oldest open period (emergency: today's), each line
    computed from the site's ledger."""
    at_facility(site.gate, Right.REQUISITION_CREATE, facility_id, program_id)
    home = Tx(c).managed_store(facility_id)
    cat = SiteCatalogue(c)
    program = cat.program(program_id)
    if program is None or not program.active:
        raise NotKnownHere(f"program {program_id} is not an active program here")
    if home.facility_type_id is None:
        raise NotKnownHere(f"store {facility_id} has no facility type here yet")
    periods = cat.periods(facility_id, program_id)
    period = _period(cat, facility_id, program_id, periods, emergency, site.today)
    template = choose_template(cat.templates(program_id), home.facility_type_id)
    if template is None:
        raise NotKnownHere("the program has no active template for the store's type")
    if emergency and not orderable_ids:
        raise RequisitionError("an emergency requisition names the products it needs")
    products = cat.products(home.facility_type_id, program_id, orderable_ids if emergency else None)
    if not products:
        raise NotKnownHere("the store's type has no approved products in the program here")
    if emergency:
        lines = emergency_lines(products)
    else:
        run = averaging_run(periods, period, template.periods_to_average)
        ids = [p.orderable_id for p in products]
        figures = SiteLedgerFigures(c).over(facility_id, ids, [(p.start, p.end) for p in run])
        isa = cat.ideal_amounts(facility_id, period.period_id) if ISA in template.columns else {}
        lines = program_lines(products, figures, run, template.columns, isa)
    r = Requisition(uuid4(), facility_id, program_id, period.period_id, emergency, {})
    return _new(c, site, home, RequisitionKind.PROGRAM, r, lines, template_id=template.template_id)


def _period(
    cat: SiteCatalogue,
    facility_id: UUID,
    program_id: UUID,
    periods: list[Period],
    emergency: bool,
    today: date,
) -> Period:
    if emergency:
        found = current(periods, today)
    else:
        statuses = cat.statuses(facility_id, program_id)
        found = next_regular(periods, statuses, today)
        if found is not None and found.period_id in statuses:
            raise store.AlreadyInitiated(
                f"the requisition of period {found.period_id} is {statuses[found.period_id]}:"
                " finish it before the next one"
            )
    if found is None:
        raise NotKnownHere("no period of the schedule is open for a requisition today")
    return found


@dataclass(frozen=True)
class InternalOrder:
    """What an internal order is drafted from."""

    facility_id: UUID
    supplying_facility_id: UUID
    max_months: Decimal
    min_months: Decimal
    program_id: UUID | None = None
    item_ids: Sequence[UUID] | None = None
    amc_months: int = 3
    comment: str | None = None


def create_internal_order(c: sqlite3.Connection, site: Site, order: InternalOrder) -> Document:
    """Draft an internal order to another store, each line suggested from the site's SOH and
    AMC (the Open mSupply rule); without items, every item the store moves that is due one."""
    at_facility(site.gate, Right.REQUISITION_CREATE, order.facility_id, order.program_id)
    home = Tx(c).managed_store(order.facility_id)
    if order.supplying_facility_id == order.facility_id:
        raise RequisitionError("a store does not order from itself")
    cat = SiteCatalogue(c)
    # The feed brings a site its own stores only: a supplier it has not heard of is central's
    # to judge when the order arrives (a refusal comes back on the feed).
    if cat.known_inactive(order.supplying_facility_id):
        raise NotKnownHere(f"supplying store {order.supplying_facility_id} is inactive")
    ids = list(order.item_ids) if order.item_ids else cat.store_items(order.facility_id)
    products = cat.items(ids)
    if order.item_ids and len(products) != len(set(order.item_ids)):
        raise NotKnownHere("some items are not active items here")
    figures = SiteLedgerFigures(c)
    since = site.today - timedelta(days=30 * order.amc_months)
    lines = internal_lines(
        products,
        figures.on_hand(order.facility_id, ids),
        figures.consumed(order.facility_id, ids, since, site.today),
        amc_months=order.amc_months,
        min_months=order.min_months,
        max_months=order.max_months,
        every_product=bool(order.item_ids),
    )
    r = Requisition(
        uuid4(),
        order.facility_id,
        order.program_id,
        None,
        False,
        {},
        internal=True,
        supplying_facility_id=order.supplying_facility_id,
    )
    return _new(
        c,
        site,
        home,
        RequisitionKind.INTERNAL_ORDER,
        r,
        lines,
        max_months=order.max_months,
        min_months=order.min_months,
        comment=order.comment,
    )


def _new(
    c: sqlite3.Connection,
    site: Site,
    home: SiteStore,
    kind: RequisitionKind,
    r: Requisition,
    lines: Lines,
    *,
    template_id: UUID | None = None,
    max_months: Decimal | None = None,
    min_months: Decimal | None = None,
    comment: str | None = None,
) -> Document:
    r.lines = {o: line for o, (line, _) in lines.items()}
    doc = Document(
        kind,
        r,
        {o: info for o, (_, info) in lines.items()},
        site.gate.actor,
        site.now,
        template_id=template_id,
        max_months_of_stock=max_months,
        min_months_of_stock=min_months,
        comment=comment,
    )
    store.add(c, doc)
    event = step_event(
        site.site_id, doc, Step.INITIATE, 0, site.gate.actor, site.now, home.site_version
    )
    store.queue(c, event, r.requisition_id, 0)
    return doc


Act = Callable[[Document], None]


def _step(
    c: sqlite3.Connection,
    site: Site,
    requisition_id: UUID,
    version: int,
    step: Step,
    right: Right,
    act: Act,
    edits: Sequence[Edit] = (),
) -> Document:
    doc = store.load(c, requisition_id)
    r = doc.requisition
    r.check_version(version)
    at_facility(site.gate, right, r.facility_id, r.program_id)
    home = Tx(c).managed_store(r.facility_id)
    act(doc)
    event = step_event(
        site.site_id, doc, step, version, site.gate.actor, site.now, home.site_version, edits
    )
    store.queue(c, event, requisition_id, version)
    if step is Step.DELETE:
        store.remove(c, requisition_id)
    else:
        store.save(c, doc)
    return doc


def edit(
    c: sqlite3.Connection, site: Site, requisition_id: UUID, version: int, edits: Sequence[Edit]
) -> Document:
    """Change requested quantities (with their reasons) as one new version; approved ones are
    the approvers', centrally."""
    if any(e.approved is not None or e.remarks is not None for e in edits):
        raise RequisitionError("approved quantities and remarks are set by approvers, centrally")
    doc = store.load(c, requisition_id)
    right = (
        Right.REQUISITION_AUTHORIZE
        if doc.requisition.status.rank == 2
        else (Right.REQUISITION_CREATE)
    )
    return _step(
        c,
        site,
        requisition_id,
        version,
        Step.EDIT,
        right,
        lambda d: d.requisition.edit(edits),
        edits,
    )


def submit(c: sqlite3.Connection, site: Site, requisition_id: UUID, version: int) -> Document:
    """Submit (straight to authorized where the program skips that step); the node it then
    waits at is central's to say."""

    def act(doc: Document) -> None:
        program_id = doc.requisition.program_id
        program = SiteCatalogue(c).program(program_id) if program_id else None
        if program is None:
            raise NotKnownHere(f"program {program_id} is not known here")
        doc.requisition.submit(site.gate.actor, site.now, program.skip_authorization, None)

    return _step(c, site, requisition_id, version, Step.SUBMIT, Right.REQUISITION_CREATE, act)


def authorize(c: sqlite3.Connection, site: Site, requisition_id: UUID, version: int) -> Document:
    """Authorize at the facility; central routes it to its supervisory node."""
    return _step(
        c,
        site,
        requisition_id,
        version,
        Step.AUTHORIZE,
        Right.REQUISITION_AUTHORIZE,
        lambda d: d.requisition.authorize(site.gate.actor, site.now, None),
    )


def send(c: sqlite3.Connection, site: Site, requisition_id: UUID, version: int) -> Document:
    """Send an internal order to its supplier."""
    return _step(
        c,
        site,
        requisition_id,
        version,
        Step.SEND,
        Right.REQUISITION_CREATE,
        lambda d: d.requisition.send(site.gate.actor, site.now),
    )


def skip(c: sqlite3.Connection, site: Site, requisition_id: UUID, version: int) -> Document:
    """Skip the period, where the program allows it."""

    def act(doc: Document) -> None:
        program_id = doc.requisition.program_id
        program = SiteCatalogue(c).program(program_id) if program_id else None
        skippable = program is not None and program.periods_skippable
        doc.requisition.skip(site.gate.actor, site.now, skippable)

    return _step(c, site, requisition_id, version, Step.SKIP, Right.REQUISITION_CREATE, act)


def delete(c: sqlite3.Connection, site: Site, requisition_id: UUID, version: int) -> None:
    """Delete a requisition the store still holds (initiated, rejected or skipped)."""

    def act(doc: Document) -> None:
        doc.requisition.check_deletable()
        doc.requisition.version += 1

    _step(c, site, requisition_id, version, Step.DELETE, Right.REQUISITION_DELETE, act)
