"""One behaviour suite for the supply-line repository: the fake and the asyncpg adapter alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_fulfillment.adapters.supply_lines import Criteria, SupplyLineRepository
from akiba_fulfillment.bootstrap import MIGRATIONS
from akiba_fulfillment.domain.errors import Conflict, DuplicateSupplyLine
from akiba_fulfillment.domain.supply_lines import SupplyLine, Terms
from akiba_fulfillment.testing import FakeFulfillmentUnitOfWork
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform.db import create_pool

T0 = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "asyncpg"])
async def repo(
    request: pytest.FixtureRequest, databases: Databases
) -> AsyncIterator[SupplyLineRepository]:
    if request.param == "fake":
        yield FakeFulfillmentUnitOfWork().supply_lines
        return
    pool = await create_pool(await databases.create({"fulfillment": MIGRATIONS}), max_size=2)
    try:
        async with FulfillmentUnitOfWork(pool) as uow:
            yield uow.supply_lines
    finally:
        await pool.close()


def line(minutes: int = 0, **changes: object) -> SupplyLine:
    terms = replace(Terms(uuid4(), uuid4(), uuid4(), "From the warehouse"), **changes)
    return SupplyLine.new(uuid4(), terms, T0 + timedelta(minutes=minutes))


async def test_a_line_added_reads_back_as_it_was(repo: SupplyLineRepository) -> None:
    added = line()

    await repo.add(added)

    assert await repo.get(added.supply_line_id) == added
    assert await repo.get(added.supply_line_id, lock=True) == added
    assert await repo.get(uuid4()) is None


async def test_a_saved_revision_replaces_the_line(repo: SupplyLineRepository) -> None:
    added = line()
    await repo.add(added)
    revised = added.revised(replace(added.terms, description=None, active=False), T0)

    await repo.save(revised)

    assert await repo.get(added.supply_line_id) == revised


async def test_the_active_line_of_a_node_and_program_is_found_and_no_inactive_one(
    repo: SupplyLineRepository,
) -> None:
    old = line(active=False)
    current = SupplyLine.new(uuid4(), replace(old.terms, active=True), T0)
    await repo.add(old)
    await repo.add(current)

    assert await repo.active_for(old.supervisory_node_id, old.program_id) == current
    assert await repo.active_for(old.supervisory_node_id, uuid4()) is None


async def test_pages_hold_matching_lines_in_creation_order_with_the_total(
    repo: SupplyLineRepository,
) -> None:
    node = uuid4()
    lines = [line(minutes=m, supervisory_node_id=node) for m in (3, 1, 2)]
    for x in [*lines, line(minutes=0)]:
        await repo.add(x)
    in_order = sorted(lines, key=lambda x: x.created_at)

    first, total = await repo.page(Criteria(node_id=node), 0, 2)
    second, _ = await repo.page(Criteria(node_id=node), 1, 2)
    one, _ = await repo.page(Criteria(program_id=lines[0].program_id, active=True), 0, 10)

    assert (first, second, total) == (in_order[:2], in_order[2:], 3)
    assert one == [lines[0]]
    assert (await repo.page(Criteria(active=False), 0, 10)) == ([], 0)


async def test_a_second_active_line_of_a_node_and_program_is_refused(
    repo: SupplyLineRepository,
) -> None:
    first = line()
    await repo.add(first)
    second = SupplyLine.new(uuid4(), first.terms, T0)

    with pytest.raises(DuplicateSupplyLine):
        await repo.add(second)


async def test_reactivating_a_line_beside_an_active_one_is_refused(
    repo: SupplyLineRepository,
) -> None:
    first = line()
    old = SupplyLine.new(uuid4(), replace(first.terms, active=False), T0)
    await repo.add(first)
    await repo.add(old)

    with pytest.raises(DuplicateSupplyLine):
        await repo.save(old.revised(replace(old.terms, active=True), T0))


async def test_adding_a_line_whose_id_exists_is_a_conflict(repo: SupplyLineRepository) -> None:
    first = line()
    await repo.add(first)

    with pytest.raises(Conflict):
        await repo.add(replace(first, program_id=uuid4()))
