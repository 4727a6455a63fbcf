"""Create, change and read requisition's reference records; every change publishes its state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID

from akiba_replenish.templates import InvalidTemplate
from akiba_requisition.adapters.reference import ReferenceRepository, Where
from akiba_requisition.domain import reference as ref
from akiba_requisition.domain.errors import InvalidReferenceData, ReferenceNotFound
from akiba_requisition.reference_events import changed
from akiba_requisition.uow import RequisitionUnitOfWork

Check = Callable[[ReferenceRepository, Any], Awaitable[None]]


async def create(uow: RequisitionUnitOfWork, record: ref.R) -> ref.R:
    """Store a new record and its event in one transaction."""
    async with uow:
        await _check(uow.reference, record)
        await uow.reference.add(record)
        uow.publish(changed(record))
        await uow.commit()
    return record


async def update(
    uow: RequisitionUnitOfWork,
    kind: type[ref.R],
    key: Sequence[UUID],
    seen: int | None,
    within: Mapping[str, UUID] | None = None,
    **changes: Any,
) -> ref.R:
    """Apply changes to the version the writer saw (None: any); unchanged, nothing is written."""
    async with uow:
        current = await get(uow.reference, kind, key, lock=True, within=within)
        if seen is not None:
            ref.check_version(current, seen)
        if replace(current, **changes) == current:
            return current
        record = ref.revised(current, **changes)
        await _check(uow.reference, record)
        await uow.reference.update(record)
        uow.publish(changed(record))
        await uow.commit()
    return record


async def deactivate(uow: RequisitionUnitOfWork, kind: type[ref.R], key: Sequence[UUID]) -> ref.R:
    """Mark a record inactive (never deleted: requisitions refer to it); no edit can be lost."""
    return await update(uow, kind, key, None, active=False)


async def get(
    repo: ReferenceRepository,
    kind: type[ref.R],
    key: Sequence[UUID],
    *,
    lock: bool = False,
    within: Mapping[str, UUID] | None = None,
) -> ref.R:
    """One record (belonging to `within`, e.g. a schedule, when given), or ReferenceNotFound."""
    record = await repo.get(kind, key, lock=lock)
    if record is None or any(getattr(record, k) != v for k, v in (within or {}).items()):
        raise ReferenceNotFound(f"{kind.what} {':'.join(map(str, key))} does not exist")
    return record


async def page(
    repo: ReferenceRepository, kind: type[ref.R], where: Where, page: int, size: int
) -> tuple[list[ref.R], int]:
    """One page of records and the total."""
    return await repo.page(kind, where, page, size)


async def put_amounts(
    uow: RequisitionUnitOfWork, amounts: Sequence[ref.IdealStockAmount]
) -> list[ref.IdealStockAmount]:
    """Set many ideal stock amounts at once (a spreadsheet's load); return those that changed."""
    ref.check_amounts_unique(amounts)
    async with uow:
        await _periods_exist(uow.reference, [a.period_id for a in amounts])
        changed_amounts = await uow.reference.put_amounts(amounts)
        uow.publish(*(changed(a) for a in changed_amounts))
        await uow.commit()
    return changed_amounts


async def _periods_exist(repo: ReferenceRepository, period_ids: Sequence[UUID]) -> None:
    missing = await repo.missing(ref.Period, [(p,) for p in dict.fromkeys(period_ids)])
    if missing:
        names = ", ".join(str(k[0]) for k in missing[:20])
        raise InvalidReferenceData(f"no period {names}")


async def _named(
    repo: ReferenceRepository, kind: type[ref.R], key: UUID, *, lock: bool = False
) -> ref.R:
    """A record a body names: unknown, the body is invalid (422), not the path (404)."""
    record = await repo.get(kind, (key,), lock=lock)
    if record is None:
        raise InvalidReferenceData(f"no {kind.what} {key}")
    return record


async def _check_program(repo: ReferenceRepository, program: ref.Program) -> None:
    """A program's templates must still work with its report-only setting."""
    for template in await repo.templates(program.program_id):
        if not template.active:
            continue
        try:
            template.check(program)
        except InvalidTemplate as exc:
            named = [f"template {template.name}: {p}" for p in exc.problems]
            raise InvalidTemplate(named) from None


async def _check_program_orderable(repo: ReferenceRepository, po: ref.ProgramOrderable) -> None:
    await get(repo, ref.Program, (po.program_id,))  # in the path: 404


async def _check_approved(repo: ReferenceRepository, ap: ref.ApprovedProduct) -> None:
    await get(repo, ref.Program, (ap.program_id,))  # in the path: 404
    if await repo.get(ref.ProgramOrderable, (ap.program_id, ap.orderable_id)) is None:
        raise InvalidReferenceData(
            f"orderable {ap.orderable_id} is not one of the program's orderables; add it first"
        )


async def _check_period(repo: ReferenceRepository, period: ref.Period) -> None:
    # Locking the schedule serialises its period changes, so two cannot overlap unseen.
    await get(repo, ref.Schedule, (period.schedule_id,), lock=True)  # in the path: 404
    ref.check_period_fits(period, await repo.periods(period.schedule_id))


async def _check_group_schedule(repo: ReferenceRepository, gs: ref.GroupSchedule) -> None:
    await _named(repo, ref.Program, gs.program_id)
    await _named(repo, ref.Schedule, gs.schedule_id)


async def _check_template(repo: ReferenceRepository, t: ref.RequisitionTemplate) -> None:
    # Locking the program serialises its template changes (one template per facility type).
    program = await _named(repo, ref.Program, t.program_id, lock=True)
    t.check(program)
    ref.check_template_fits(t, await repo.templates(t.program_id))


async def _check_amount(repo: ReferenceRepository, isa: ref.IdealStockAmount) -> None:
    await _periods_exist(repo, [isa.period_id])


async def _nothing(repo: ReferenceRepository, record: ref.Reference) -> None:
    """Records that need no lookups (ids of other services' records: their read models may lag)."""


_CHECKS: dict[type[ref.Reference], Check] = {
    ref.Program: _check_program,
    ref.ProgramOrderable: _check_program_orderable,
    ref.ApprovedProduct: _check_approved,
    ref.Period: _check_period,
    ref.GroupSchedule: _check_group_schedule,
    ref.RequisitionTemplate: _check_template,
    ref.IdealStockAmount: _check_amount,
}


async def _check(repo: ReferenceRepository, record: ref.Reference) -> None:
    """Rules that need other records: programs and schedules that must exist, overlaps, clashes."""
    await _CHECKS.get(type(record), _nothing)(repo, record)
