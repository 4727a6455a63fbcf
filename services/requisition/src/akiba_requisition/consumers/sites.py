"""Requisition steps recorded at sites (`sites.requisition-events`): each applied once, or refused.

Each step runs in a savepoint of the batch's transaction, through the same steps as central's
API (`handlers/site_steps.py`). Applied, it publishes what that step publishes. Refused (a stale
version, a status that does not allow it, reference data central does not know, a store the
site does not write, no `siteid`), it changes nothing: its refusal goes out on
`requisition.site-refusals` (the site reads it in its feed) with the batch's effects, and the
event to the dead-letter topic. A transient failure retries the batch; it never refuses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from pydantic import ValidationError

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads.requisition_edge import SiteRequisitionRecorded
from akiba_platform import Connection, Delivery, Rejected, TransientError, is_transient
from akiba_replenish import RequisitionError
from akiba_requisition.domain.access import Forbidden, SiteGate
from akiba_requisition.domain.errors import (
    AlreadyInitiated,
    CannotInitiate,
    RecordedAtSite,
    ReferenceDataError,
)
from akiba_requisition.handlers.site_steps import take_site_step
from akiba_requisition.outbound import site_refusal
from akiba_requisition.uow import RequisitionUnitOfWork

log = logging.getLogger(__name__)

NAME = "requisition.site-steps"
TOPIC = "sites.requisition-events"

# What a step may be refused for: its reason says it all. Anything else (a value the database
# refuses, a bug) is refused too, named by its type, so the site never waits for an answer.
_REFUSALS = (
    RequisitionError, CannotInitiate, AlreadyInitiated, ReferenceDataError, Forbidden,
    RecordedAtSite,
)  # fmt: skip


async def apply(conn: Connection, deliveries: Sequence[Delivery]) -> list[Rejected]:
    """Take every site step in order; return the refused ones, to dead-letter."""
    uow = RequisitionUnitOfWork.joining(conn)
    now = datetime.now(UTC)
    refused = []
    for d in deliveries:
        if d.event.type != SiteRequisitionRecorded.event_type:
            refused.append(Rejected(d, f"{d.event.type} is not a site requisition step"))
            continue
        try:
            step = SiteRequisitionRecorded.model_validate(d.event.data)
        except ValidationError as exc:
            refused.append(Rejected(d, f"invalid site requisition step: {exc}"))
            continue
        reason = await _taken(uow, d.event, step)
        if reason is not None:
            uow.publish(site_refusal(step, d.event.id, d.event.siteid, reason, now))
            refused.append(Rejected(d, f"SiteStepRefused: {reason}"))
    await uow.commit()
    return refused


async def _taken(
    uow: RequisitionUnitOfWork, event: CloudEvent, step: SiteRequisitionRecorded
) -> str | None:
    """None once the step is applied, else why it is refused (its effects undone)."""
    try:
        async with uow.savepoint():
            site = _site_of(event)
            await _writer_caught_up(uow, site, event.siteversion, step.facility_id)
            gate = SiteGate(site, step.facility_id, step.actor)
            await take_site_step(uow, gate, step)
    except Exception as exc:
        if is_transient(exc):
            raise
        if isinstance(exc, _REFUSALS):
            return str(exc)
        log.exception("site requisition step failed", extra={"event_id": event.id})
        return f"{type(exc).__name__}: {exc}"
    return None


def _site_of(event: CloudEvent) -> UUID:
    """The site the hub says sent the step; a step without one is never applied."""
    if not event.siteid:
        raise Forbidden("a site's step carries the siteid of the site that recorded it")
    try:
        return UUID(event.siteid)
    except ValueError:
        raise Forbidden(f"siteid {event.siteid!r} is not a site id") from None


async def _writer_caught_up(
    uow: RequisitionUnitOfWork, site: UUID, site_version: int | None, store: UUID
) -> None:
    """Another site writes the store by a record older than the one the step was recorded
    under: auth.sites is behind here, so wait for it (a refusal that may heal is a retry)."""
    writer = await uow.catalogue.writer(store)
    if writer is None or writer[0] in (None, site):
        return
    if site_version is not None and site_version > writer[1]:
        raise TransientError(
            f"store {store} is site {writer[0]}'s at version {writer[1]}; the step was"
            f" recorded under version {site_version}: waiting for auth.sites"
        )
