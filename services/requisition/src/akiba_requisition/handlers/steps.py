"""A requisition's steps after initiation: each checks the version, its right, then moves it.

A step is built for its caller (`submitting(gate)`), then taken in a transaction of its own (the
API: `submit`) or in one its caller holds (a site's step read from Kafka: `take`), so both ways
run the same rules and publish the same events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from akiba_contracts.rights import Right
from akiba_platform import OutboxMessage
from akiba_replenish import Approval, Edit, RequisitionStatus
from akiba_replenish.documents import Document
from akiba_requisition.domain import reference as ref
from akiba_requisition.domain.access import (
    Gate,
    at_facility,
    at_node,
    at_supplier,
    check_edit,
    check_view,
    check_writer,
    store_side,
)
from akiba_requisition.domain.errors import CannotInitiate, ReferenceNotFound
from akiba_requisition.outbound import released, status_changed
from akiba_requisition.uow import RequisitionUnitOfWork

Check = Callable[[RequisitionUnitOfWork, Document], Awaitable[None]]
Act = Callable[[RequisitionUnitOfWork, Document, datetime], Awaitable[list[OutboxMessage]]]


@dataclass(frozen=True)
class Step:
    """Who may take a step on the version it was taken on, and what the step does."""

    check: Check
    act: Act
    removes: bool = False  # the requisition is deleted, not saved


async def load(uow: RequisitionUnitOfWork, requisition_id: UUID, *, lock: bool = False) -> Document:
    """The requisition, or ReferenceNotFound (404)."""
    doc = await uow.requisitions.get(requisition_id, lock=lock)
    if doc is None:
        raise ReferenceNotFound(f"requisition {requisition_id} does not exist")
    return doc


async def view(uow: RequisitionUnitOfWork, gate: Gate, requisition_id: UUID) -> Document:
    """Read a requisition the caller may see."""
    async with uow:
        doc = await load(uow, requisition_id)
    check_view(gate, doc)
    return doc


async def take(
    uow: RequisitionUnitOfWork, rid: UUID, version: int, step: Step, at: datetime
) -> Document:
    """Take a step at `at` in the caller's transaction: lock, version (If-Match), right, act."""
    doc = await load(uow, rid, lock=True)
    # A writer who saw an older version learns that first (409): of two approvers at
    # once, the second finds it moved on, not that its node no longer holds it.
    doc.requisition.check_version(version)
    await step.check(uow, doc)
    extra = await step.act(uow, doc, at)
    if step.removes:
        await uow.requisitions.delete(rid)
    else:
        await uow.requisitions.save(doc)
    uow.publish(*extra)
    return doc


async def _run(uow: RequisitionUnitOfWork, rid: UUID, version: int, step: Step) -> Document:
    async with uow:
        doc = await take(uow, rid, version, step, datetime.now(UTC))
        await uow.commit()
    return doc


async def written_here(uow: RequisitionUnitOfWork, gate: Gate, facility_id: UUID) -> None:
    """Refuse a store-side step taken anywhere but where auth says the store is written."""
    writer = await uow.catalogue.writer(facility_id)
    check_writer(gate, writer[0] if writer else None)


def _by_store(gate: Gate, right: Right) -> Check:
    async def check(uow: RequisitionUnitOfWork, doc: Document) -> None:
        r = doc.requisition
        at_facility(gate, right, r.facility_id, r.program_id)
        await written_here(uow, gate, r.facility_id)

    return check


def _plain(check: Callable[[Document], None]) -> Check:
    async def run(_: RequisitionUnitOfWork, doc: Document) -> None:
        check(doc)

    return run


async def _moved(_: RequisitionUnitOfWork, doc: Document) -> list[OutboxMessage]:
    return [status_changed(doc)]


def editing(gate: Gate, edits: Sequence[Edit]) -> Step:
    """Change requested quantities (the store's, until authorized) or approved ones."""

    async def check(uow: RequisitionUnitOfWork, doc: Document) -> None:
        check_edit(gate, doc)
        if store_side(doc):
            await written_here(uow, gate, doc.requisition.facility_id)

    async def act(_: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.edit(edits)
        return [status_changed(doc, edited=(gate.actor, at))]

    return Step(check, act)


async def edit(
    uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int, edits: Sequence[Edit]
) -> Document:
    """Change requested quantities (before authorization) or approved ones (in approval)."""
    return await _run(uow, rid, version, editing(gate, edits))


async def _program(uow: RequisitionUnitOfWork, doc: Document) -> ref.Program:
    program_id = doc.requisition.program_id
    program = await uow.reference.get(ref.Program, [program_id]) if program_id else None
    if program is None:
        raise CannotInitiate(f"program {program_id} is not known")
    return program


async def _node(uow: RequisitionUnitOfWork, doc: Document) -> UUID:
    r = doc.requisition
    assert r.program_id is not None
    group = await uow.catalogue.group_of(r.facility_id, r.program_id)
    if group is None:
        raise CannotInitiate("the store is in no requisition group for the program: no approver")
    return group[1]


def submitting(gate: Gate) -> Step:
    """Submit (straight to authorized where the program skips that step)."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        program = await _program(u, doc)
        node = await _node(u, doc) if program.skip_authorization else None
        doc.requisition.submit(gate.actor, at, program.skip_authorization, node)
        return await _moved(u, doc)

    return Step(_by_store(gate, Right.REQUISITION_CREATE), act)


async def submit(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """Submit (straight to authorized where the program skips that step)."""
    return await _run(uow, rid, version, submitting(gate))


def authorizing(gate: Gate) -> Step:
    """Authorize at the facility: it goes to its supervisory node for approval."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.authorize(gate.actor, at, await _node(u, doc))
        return await _moved(u, doc)

    return Step(_by_store(gate, Right.REQUISITION_AUTHORIZE), act)


async def authorize(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """Authorize at the facility: it goes to its supervisory node for approval."""
    return await _run(uow, rid, version, authorizing(gate))


async def approve(
    uow: RequisitionUnitOfWork,
    gate: Gate,
    rid: UUID,
    version: int,
    edits: Sequence[Edit] = (),
) -> Document:
    """Approve where it waits (with approved quantities, if given): up to the parent node, or
    approved at the node with the supply line (released without order if report-only)."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        r = doc.requisition
        if edits:
            r.edit(edits)
        assert r.node_id is not None and r.program_id is not None
        program = await _program(u, doc)
        supplier = await u.catalogue.supplier_at(r.node_id, r.program_id)
        here = Approval(
            r.node_id, await u.catalogue.parent_of(r.node_id), supplier is not None,
            program.report_only,
        )  # fmt: skip
        r.approve(gate.actor, at, here)
        if r.status is not RequisitionStatus.APPROVED or supplier is None:
            return await _moved(u, doc)
        r.supplying_facility_id, local = supplier
        if not local:
            return await _moved(u, doc)
        # The supplier fulfils the program itself: the approval is its order, released at once.
        done = await _moved(u, doc)
        r.release(gate.actor, at, r.supplying_facility_id)
        return [*done, *await _released(u, doc)]

    return await _run(uow, rid, version, Step(_plain(lambda d: _approver(gate, d)), act))


def _approver(gate: Gate, doc: Document) -> None:
    if doc.requisition.internal:
        at_supplier(gate, Right.ORDERS_EDIT, doc)
    else:
        at_node(gate, doc)


async def reject(
    uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int, reason: str
) -> Document:
    """Send it back to the requesting store with a reason."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.reject(gate.actor, at, reason)
        return await _moved(u, doc)

    return await _run(uow, rid, version, Step(_plain(lambda d: _approver(gate, d)), act))


def skipping(gate: Gate) -> Step:
    """Skip the period, where the program allows it."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.skip(gate.actor, at, (await _program(u, doc)).periods_skippable)
        return await _moved(u, doc)

    return Step(_by_store(gate, Right.REQUISITION_CREATE), act)


async def skip(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """Skip the period, where the program allows it."""
    return await _run(uow, rid, version, skipping(gate))


def sending(gate: Gate) -> Step:
    """Send an internal order to its supplier."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.send(gate.actor, at)
        return await _moved(u, doc)

    return Step(_by_store(gate, Right.REQUISITION_CREATE), act)


async def send(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """Send an internal order to its supplier."""
    return await _run(uow, rid, version, sending(gate))


async def accept(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """The supplier approves a customer requisition with its approved quantities."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.approve_as_supplier(gate.actor, at)
        return await _moved(u, doc)

    check = _plain(lambda d: at_supplier(gate, Right.ORDERS_EDIT, d))
    return await _run(uow, rid, version, Step(check, act))


async def release(
    uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int, supplier: UUID | None
) -> Document:
    """Convert an approved requisition to an order for the supplying facility."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        chosen = supplier or doc.requisition.supplying_facility_id
        if chosen is None:
            raise CannotInitiate("name the supplying facility to release to")
        doc.requisition.release(gate.actor, at, chosen)
        return await _released(u, doc)

    check = _plain(lambda d: at_supplier(gate, Right.ORDERS_EDIT, d, supplier))
    return await _run(uow, rid, version, Step(check, act))


async def _released(u: RequisitionUnitOfWork, doc: Document) -> list[OutboxMessage]:
    period_id = doc.requisition.period_id
    period = await u.reference.get(ref.Period, [period_id]) if period_id else None
    dates = (period.start_date, period.end_date) if period else None
    return [status_changed(doc), released(doc, dates)]


def deleting(gate: Gate) -> Step:
    """Delete a requisition its store still holds (initiated, rejected or skipped)."""

    async def act(_: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.check_deletable()
        doc.requisition.version += 1
        return [status_changed(doc, "DELETED", edited=(gate.actor, at))]

    return Step(_by_store(gate, Right.REQUISITION_DELETE), act, removes=True)


async def delete(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> None:
    """Delete a requisition its store still holds (initiated, rejected or skipped)."""
    await _run(uow, rid, version, deleting(gate))
