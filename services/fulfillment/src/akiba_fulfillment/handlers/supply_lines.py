"""Create, change and read supply lines; every change publishes the line's full state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

from akiba_fulfillment.adapters.supply_lines import Criteria, SupplyLineRepository
from akiba_fulfillment.domain.errors import SupplyLineNotFound
from akiba_fulfillment.domain.supply_lines import SupplyLine, Terms, check_unique
from akiba_fulfillment.outbound import supply_line_changed
from akiba_fulfillment.uow import FulfillmentUnitOfWork

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


async def create(
    uow: FulfillmentUnitOfWork,
    terms: Terms,
    supply_line_id: UUID | None = None,
    clock: Clock = _now,
) -> SupplyLine:
    """Add a line (409 if its node already has an active one for the program)."""
    line = SupplyLine.new(supply_line_id or uuid4(), terms, clock())
    async with uow:
        await _check_unique(uow.supply_lines, line)
        await uow.supply_lines.add(line)
        uow.publish(supply_line_changed(line))
        await uow.commit()
    return line


async def update(
    uow: FulfillmentUnitOfWork, supply_line_id: UUID, seen: int, terms: Terms, clock: Clock = _now
) -> SupplyLine:
    """Replace a line's terms if `seen` is its current version; unchanged terms change nothing."""
    async with uow:
        current = await get(uow.supply_lines, supply_line_id, lock=True)
        current.check_version(seen)
        return await _save(uow, current, current.revised(terms, clock()))


async def deactivate(
    uow: FulfillmentUnitOfWork, supply_line_id: UUID, seen: int | None, clock: Clock = _now
) -> SupplyLine:
    """Mark a line inactive (lines are never deleted: orders will name them)."""
    async with uow:
        current = await get(uow.supply_lines, supply_line_id, lock=True)
        if seen is not None:
            current.check_version(seen)
        return await _save(uow, current, current.deactivated(clock()))


async def get(
    repo: SupplyLineRepository, supply_line_id: UUID, *, lock: bool = False
) -> SupplyLine:
    """One line, or SupplyLineNotFound."""
    line = await repo.get(supply_line_id, lock=lock)
    if line is None:
        raise SupplyLineNotFound(f"supply line {supply_line_id} does not exist")
    return line


async def page(
    repo: SupplyLineRepository, criteria: Criteria, page: int, size: int
) -> tuple[list[SupplyLine], int]:
    """One page of lines and how many match in all."""
    return await repo.page(criteria, page, size)


async def _save(uow: FulfillmentUnitOfWork, current: SupplyLine, line: SupplyLine) -> SupplyLine:
    if line is current:
        return current
    await _check_unique(uow.supply_lines, line)
    await uow.supply_lines.save(line)
    uow.publish(supply_line_changed(line))
    await uow.commit()
    return line


async def _check_unique(repo: SupplyLineRepository, line: SupplyLine) -> None:
    if line.active:
        check_unique(line, await repo.active_for(line.supervisory_node_id, line.program_id))
