"""Initiating requisitions: a program's period from the ledger, or an internal order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import asyncpg

from akiba_contracts.payloads import RequisitionKind
from akiba_contracts.rights import Right
from akiba_replenish import Period, Requisition
from akiba_replenish.documents import Document
from akiba_replenish.drafting import (
    ISA,
    Lines,
    Product,
    averaging_run,
    choose_template,
    emergency_lines,
    internal_lines,
    program_lines,
)
from akiba_replenish.periods import current, next_regular
from akiba_requisition.domain import reference as ref
from akiba_requisition.domain.access import Gate, at_facility
from akiba_requisition.domain.errors import AlreadyInitiated, CannotInitiate
from akiba_requisition.handlers.steps import written_here
from akiba_requisition.outbound import status_changed
from akiba_requisition.uow import RequisitionUnitOfWork


@dataclass(frozen=True)
class Setting:
    """Where a program requisition stands: its program, store type, node and period."""

    program: ref.Program
    facility_type_id: UUID
    node_id: UUID
    periods: list[Period]


async def setting(uow: RequisitionUnitOfWork, facility_id: UUID, program_id: UUID) -> Setting:
    """The program, the store's type, its supervisory node and its schedule's periods."""
    program = await uow.reference.get(ref.Program, [program_id])
    if program is None or not program.active:
        raise CannotInitiate(f"program {program_id} is not an active program")
    known = await uow.catalogue.facility_type(facility_id)
    if known is None or not known[0] or known[1] is None:
        raise CannotInitiate(f"store {facility_id} is not an active store with a facility type")
    group = await uow.catalogue.group_of(facility_id, program_id)
    if group is None:
        raise CannotInitiate(f"store {facility_id} is in no requisition group for the program")
    schedule = await uow.catalogue.schedule_of(group[0], program_id)
    if schedule is None:
        raise CannotInitiate(f"requisition group {group[0]} follows no schedule for the program")
    periods = [
        Period(p.period_id, p.start_date, p.end_date, p.months)
        for p in await uow.reference.periods(schedule)
    ]
    return Setting(program, known[1], group[1], periods)


async def open_periods(
    uow: RequisitionUnitOfWork, facility_id: UUID, program_id: UUID, today: date
) -> tuple[Period | None, Period | None]:
    """The period a regular requisition would be for, and today's (for an emergency)."""
    where = await setting(uow, facility_id, program_id)
    statuses = await uow.catalogue.statuses(facility_id, program_id)
    return next_regular(where.periods, statuses, today), current(where.periods, today)


async def initiate(
    uow: RequisitionUnitOfWork,
    gate: Gate,
    facility_id: UUID,
    program_id: UUID,
    *,
    emergency: bool = False,
    orderable_ids: Sequence[UUID] | None = None,
    today: date | None = None,
) -> Document:
    """Start the program requisition of the oldest open period (or today's, in an emergency),
    its lines computed from the store's ledger."""
    at_facility(gate, Right.REQUISITION_CREATE, facility_id, program_id)
    today = today or datetime.now(UTC).date()
    async with uow:
        await written_here(uow, gate, facility_id)
        where = await setting(uow, facility_id, program_id)
        period = await _period(uow, where, facility_id, emergency, today)
        template = _template(await uow.reference.templates(program_id), where.facility_type_id)
        if emergency and not orderable_ids:
            raise CannotInitiate("an emergency requisition names the products it needs")
        only = orderable_ids if emergency else None
        products = await uow.catalogue.products(where.facility_type_id, program_id, only)
        if not products:
            raise CannotInitiate("the store's type has no approved products in the program")
        lines = await _program_lines(uow, facility_id, products, where, period, template, emergency)
        r = Requisition(uuid4(), facility_id, program_id, period.period_id, emergency, {})
        r.lines = {o: line for o, (line, _) in lines.items()}
        doc = Document(
            RequisitionKind.PROGRAM, r, {o: info for o, (_, info) in lines.items()},
            gate.actor, datetime.now(UTC), template_id=template.template_id,
        )  # fmt: skip
        await add(uow, doc)
        await uow.commit()
    return doc


async def _period(
    uow: RequisitionUnitOfWork, where: Setting, facility_id: UUID, emergency: bool, today: date
) -> Period:
    if emergency:
        found = current(where.periods, today)
    else:
        statuses = await uow.catalogue.statuses(facility_id, where.program.program_id)
        found = next_regular(where.periods, statuses, today)
        if found is not None and found.period_id in statuses:
            raise AlreadyInitiated(
                f"the requisition of period {found.period_id} is {statuses[found.period_id]}:"
                " finish it before the next one"
            )
    if found is None:
        raise CannotInitiate("no period of the schedule is open for a requisition today")
    return found


def _template(
    templates: Sequence[ref.RequisitionTemplate], facility_type_id: UUID
) -> ref.RequisitionTemplate:
    chosen = choose_template(templates, facility_type_id)
    if chosen is None:
        raise CannotInitiate("the program has no active template for the store's type")
    return chosen


async def _program_lines(
    uow: RequisitionUnitOfWork,
    facility_id: UUID,
    products: Sequence[Product],
    where: Setting,
    period: Period,
    template: ref.RequisitionTemplate,
    emergency: bool,
) -> Lines:
    if emergency:
        return emergency_lines(products)
    run = averaging_run(where.periods, period, template.periods_to_average)
    ids = [p.orderable_id for p in products]
    figures = await uow.figures.over(facility_id, ids, [(p.start, p.end) for p in run])
    isa = (
        await uow.catalogue.ideal_amounts(facility_id, period.period_id)
        if ISA in template.columns
        else {}
    )
    return program_lines(products, figures, run, template.columns, isa)


async def create_internal_order(
    uow: RequisitionUnitOfWork,
    gate: Gate,
    facility_id: UUID,
    supplying_facility_id: UUID,
    *,
    max_months: Decimal,
    min_months: Decimal,
    program_id: UUID | None = None,
    item_ids: Sequence[UUID] | None = None,
    amc_months: int = 3,
    comment: str | None = None,
) -> Document:
    """Draft an internal order to another store, each line suggested from SOH and AMC (the
    Open mSupply rule); without items, every item the store moves that is due an order."""
    at_facility(gate, Right.REQUISITION_CREATE, facility_id, program_id)
    if supplying_facility_id == facility_id:
        raise CannotInitiate("a store does not order from itself")
    today = datetime.now(UTC).date()
    async with uow:
        await written_here(uow, gate, facility_id)
        known = await uow.catalogue.facility_type(supplying_facility_id)
        if known is None or not known[0]:
            raise CannotInitiate(f"supplying store {supplying_facility_id} is not an active store")
        ids = list(item_ids) if item_ids else await uow.catalogue.store_items(facility_id)
        products = await uow.catalogue.items(ids)
        if item_ids and len(products) != len(set(item_ids)):
            raise CannotInitiate("some items are not active items")
        on_hand = await uow.figures.on_hand(facility_id, ids)
        since = today - timedelta(days=30 * amc_months)
        consumed = await uow.figures.consumed(facility_id, ids, since, today)
        lines = internal_lines(
            products, on_hand, consumed, amc_months=amc_months, min_months=min_months,
            max_months=max_months, every_product=bool(item_ids),
        )  # fmt: skip
        r = Requisition(
            uuid4(), facility_id, program_id, None, False, {o: x[0] for o, x in lines.items()},
            internal=True, supplying_facility_id=supplying_facility_id,
        )  # fmt: skip
        doc = Document(
            RequisitionKind.INTERNAL_ORDER, r, {o: x[1] for o, x in lines.items()}, gate.actor,
            datetime.now(UTC), max_months_of_stock=max_months, min_months_of_stock=min_months,
            comment=comment,
        )  # fmt: skip
        await add(uow, doc)
        await uow.commit()
    return doc


async def add(uow: RequisitionUnitOfWork, doc: Document) -> None:
    """Store a new requisition and announce it (AlreadyInitiated if its period has one)."""
    try:
        async with uow.savepoint():
            await uow.requisitions.add(doc)
    except asyncpg.UniqueViolationError:
        raise AlreadyInitiated("the store has a requisition for that period already") from None
    uow.publish(status_changed(doc))
