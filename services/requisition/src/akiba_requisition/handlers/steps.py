"""A requisition's steps after initiation: each checks its right, the version, then moves it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
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
)
from akiba_requisition.domain.errors import CannotInitiate, ReferenceNotFound
from akiba_requisition.outbound import released, status_changed
from akiba_requisition.uow import RequisitionUnitOfWork

Check = Callable[[Document], None]
Act = Callable[[RequisitionUnitOfWork, Document, datetime], Awaitable[list[OutboxMessage]]]


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


async def _step(
    uow: RequisitionUnitOfWork, requisition_id: UUID, version: int, check: Check, act: Act
) -> Document:
    async with uow:
        doc = await load(uow, requisition_id, lock=True)
        # A writer who saw an older version learns that first (409): of two approvers at
        # once, the second finds it moved on, not that its node no longer holds it.
        doc.requisition.check_version(version)
        check(doc)
        extra = await act(uow, doc, datetime.now(UTC))
        await uow.requisitions.save(doc)
        uow.publish(*extra)
        await uow.commit()
    return doc


def _moved(doc: Document) -> list[OutboxMessage]:
    return [status_changed(doc)]


async def edit(
    uow: RequisitionUnitOfWork,
    gate: Gate,
    rid: UUID,
    version: int,
    edits: Sequence[Edit],
) -> Document:
    """Change requested quantities (before authorization) or approved ones (in approval)."""

    async def act(_: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.edit(edits)
        return [status_changed(doc, edited=(gate.actor, at))]

    return await _step(uow, rid, version, lambda d: check_edit(gate, d), act)


def _at_facility(gate: Gate, right: Right) -> Check:
    return lambda d: at_facility(gate, right, d.requisition.facility_id, d.requisition.program_id)


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


async def submit(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """Submit (straight to authorized where the program skips that step)."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        program = await _program(u, doc)
        node = await _node(u, doc) if program.skip_authorization else None
        doc.requisition.submit(gate.actor, at, program.skip_authorization, node)
        return _moved(doc)

    return await _step(uow, rid, version, _at_facility(gate, Right.REQUISITION_CREATE), act)


async def authorize(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """Authorize at the facility: it goes to its supervisory node for approval."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.authorize(gate.actor, at, await _node(u, doc))
        return _moved(doc)

    return await _step(uow, rid, version, _at_facility(gate, Right.REQUISITION_AUTHORIZE), act)


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
        if r.status is RequisitionStatus.APPROVED:
            r.supplying_facility_id = supplier
        return _moved(doc)

    return await _step(uow, rid, version, lambda d: _approver(gate, d), act)


def _approver(gate: Gate, doc: Document) -> None:
    if doc.requisition.internal:
        at_supplier(gate, Right.ORDERS_EDIT, doc)
    else:
        at_node(gate, doc)


async def reject(
    uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int, reason: str
) -> Document:
    """Send it back to the requesting store with a reason."""

    async def act(_: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.reject(gate.actor, at, reason)
        return _moved(doc)

    return await _step(uow, rid, version, lambda d: _approver(gate, d), act)


async def skip(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """Skip the period, where the program allows it."""

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.skip(gate.actor, at, (await _program(u, doc)).periods_skippable)
        return _moved(doc)

    return await _step(uow, rid, version, _at_facility(gate, Right.REQUISITION_CREATE), act)


async def send(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """Send an internal order to its supplier."""

    async def act(_: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.send(gate.actor, at)
        return _moved(doc)

    return await _step(uow, rid, version, _at_facility(gate, Right.REQUISITION_CREATE), act)


async def accept(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> Document:
    """The supplier approves a customer requisition with its approved quantities."""

    async def act(_: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        doc.requisition.approve_as_supplier(gate.actor, at)
        return _moved(doc)

    check: Check = lambda d: at_supplier(gate, Right.ORDERS_EDIT, d)  # noqa: E731
    return await _step(uow, rid, version, check, act)


async def release(
    uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int, supplier: UUID | None
) -> Document:
    """Convert an approved requisition to an order for the supplying facility."""

    def check(doc: Document) -> None:
        at_supplier(gate, Right.ORDERS_EDIT, doc, supplier)

    async def act(u: RequisitionUnitOfWork, doc: Document, at: datetime) -> list[OutboxMessage]:
        chosen = supplier or doc.requisition.supplying_facility_id
        if chosen is None:
            raise CannotInitiate("name the supplying facility to release to")
        doc.requisition.release(gate.actor, at, chosen)
        period_id = doc.requisition.period_id
        period = await u.reference.get(ref.Period, [period_id]) if period_id else None
        dates = (period.start_date, period.end_date) if period else None
        return [status_changed(doc), released(doc, dates)]

    return await _step(uow, rid, version, check, act)


async def delete(uow: RequisitionUnitOfWork, gate: Gate, rid: UUID, version: int) -> None:
    """Delete a requisition its store still holds (initiated, rejected or skipped)."""
    async with uow:
        doc = await load(uow, rid, lock=True)
        _at_facility(gate, Right.REQUISITION_DELETE)(doc)
        doc.requisition.check_version(version)
        doc.requisition.check_deletable()
        await uow.requisitions.delete(rid)
        doc.requisition.version += 1
        uow.publish(status_changed(doc, "DELETED"))
        await uow.commit()
