"""A site's requisition steps, taken as central's API takes them: the same rules and the same
events, by the site's user at the time the site recorded the step, on the version it saw."""

from __future__ import annotations

from collections.abc import Callable

from akiba_contracts.payloads.requisition_edge import SiteRequisitionRecorded
from akiba_contracts.payloads.requisition_edge import SiteRequisitionStep as Kind
from akiba_contracts.rights import Right
from akiba_replenish.documents import Document
from akiba_requisition.domain.access import SiteGate, at_facility
from akiba_requisition.domain.errors import AlreadyInitiated, CannotInitiate
from akiba_requisition.handlers import steps
from akiba_requisition.handlers.initiate import add, setting
from akiba_requisition.inbound import document_of, edits_of
from akiba_requisition.uow import RequisitionUnitOfWork

_STEPS: dict[Kind, Callable[[SiteGate, SiteRequisitionRecorded], steps.Step]] = {
    Kind.EDIT: lambda gate, p: steps.editing(gate, edits_of(p)),
    Kind.SUBMIT: lambda gate, _: steps.submitting(gate),
    Kind.AUTHORIZE: lambda gate, _: steps.authorizing(gate),
    Kind.SEND: lambda gate, _: steps.sending(gate),
    Kind.SKIP: lambda gate, _: steps.skipping(gate),
    Kind.DELETE: lambda gate, _: steps.deleting(gate),
}


async def take_site_step(
    uow: RequisitionUnitOfWork, gate: SiteGate, p: SiteRequisitionRecorded
) -> None:
    """Apply one step a site took on its store's requisition; a refusal raises."""
    if p.step is Kind.INITIATE:
        await initiate_at_site(uow, gate, p)
    else:
        await steps.take(uow, p.requisition_id, p.expected_version, _STEPS[p.step](gate, p), p.at)


async def initiate_at_site(
    uow: RequisitionUnitOfWork, gate: SiteGate, p: SiteRequisitionRecorded
) -> Document:
    """Record the requisition the site initiated, lines as the site computed them, once its
    store, program, period (or supplying store) are known here."""
    at_facility(gate, Right.REQUISITION_CREATE, p.facility_id, p.program_id)
    await steps.written_here(uow, gate, p.facility_id)
    if await uow.requisitions.get(p.requisition_id) is not None:
        raise AlreadyInitiated(f"requisition {p.requisition_id} exists already")
    doc = document_of(p)
    if doc.requisition.internal:
        await _supplier_known(uow, doc)
    else:
        await _period_known(uow, doc)
    await add(uow, doc)
    return doc


async def _period_known(uow: RequisitionUnitOfWork, doc: Document) -> None:
    r = doc.requisition
    if r.program_id is None or r.period_id is None:
        raise CannotInitiate("a program requisition names its program and period")
    if not r.lines:
        raise CannotInitiate("a program requisition needs at least one line")
    where = await setting(uow, r.facility_id, r.program_id)
    if r.period_id not in {x.period_id for x in where.periods}:
        raise CannotInitiate(
            f"period {r.period_id} is not in the schedule the store follows for the program"
        )
    templates = {t.template_id for t in await uow.reference.templates(r.program_id)}
    if doc.template_id is not None and doc.template_id not in templates:
        raise CannotInitiate(f"template {doc.template_id} is not one of the program's")


async def _supplier_known(uow: RequisitionUnitOfWork, doc: Document) -> None:
    supplier = doc.requisition.supplying_facility_id
    if supplier is None:
        raise CannotInitiate("an internal order names its supplying store")
    if supplier == doc.requisition.facility_id:
        raise CannotInitiate("a store does not order from itself")
    known = await uow.catalogue.facility_type(supplier)
    if known is None or not known[0]:
        raise CannotInitiate(f"supplying store {supplier} is not an active store")
