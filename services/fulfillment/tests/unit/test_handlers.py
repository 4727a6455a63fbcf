"""Supply-line handlers driven through the fake unit of work: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from akiba_contracts.envelope import CloudEvent
from akiba_fulfillment.domain.errors import DuplicateSupplyLine, StaleVersion, SupplyLineNotFound
from akiba_fulfillment.domain.supply_lines import Terms
from akiba_fulfillment.handlers import supply_lines
from akiba_fulfillment.outbound import SUPPLY_LINES
from akiba_fulfillment.testing import FakeFulfillmentUnitOfWork


def terms() -> Terms:
    return Terms(uuid4(), uuid4(), uuid4(), "From the national warehouse")


def data(uow: FakeFulfillmentUnitOfWork, i: int = -1) -> dict[str, object]:
    event = uow.published[i].event
    assert isinstance(event, CloudEvent)
    return event.data or {}


async def test_creating_a_line_publishes_its_full_state_keyed_by_its_id() -> None:
    uow = FakeFulfillmentUnitOfWork()

    made = await supply_lines.create(uow, terms())

    (message,) = uow.published
    assert (message.topic, message.key) == (SUPPLY_LINES, str(made.supply_line_id))
    assert message.event.type == "org.akiba.fulfillment.supply-line.changed.v1"
    assert data(uow) == {
        "supply_line_id": str(made.supply_line_id),
        "supervisory_node_id": str(made.supervisory_node_id),
        "program_id": str(made.program_id),
        "supplying_facility_id": str(made.supplying_facility_id),
        "description": "From the national warehouse",
        "active": True,
        "local_fulfillment": False,
        "version": 1,
        "changed_at": made.updated_at.isoformat().replace("+00:00", "Z"),
    }


async def test_a_second_active_line_of_a_node_and_program_is_refused_and_not_published() -> None:
    uow = FakeFulfillmentUnitOfWork()
    first = await supply_lines.create(uow, terms())

    with pytest.raises(DuplicateSupplyLine):
        await supply_lines.create(uow, replace(first.terms, supplying_facility_id=uuid4()))
    assert len(uow.published) == 1


async def test_a_node_gets_a_new_line_for_the_program_once_the_old_one_is_deactivated() -> None:
    uow = FakeFulfillmentUnitOfWork()
    first = await supply_lines.create(uow, terms())

    await supply_lines.deactivate(uow, first.supply_line_id, None)
    second = await supply_lines.create(uow, replace(first.terms, supplying_facility_id=uuid4()))

    assert [data(uow, i)["active"] for i in range(3)] == [True, False, True]
    with pytest.raises(DuplicateSupplyLine):
        await supply_lines.update(uow, first.supply_line_id, 2, first.terms)
    assert second.active


async def test_an_update_at_the_current_version_publishes_the_next_one() -> None:
    uow = FakeFulfillmentUnitOfWork()
    made = await supply_lines.create(uow, terms())
    later = datetime(2031, 1, 1, tzinfo=UTC)

    revised = await supply_lines.update(
        uow, made.supply_line_id, 1, replace(made.terms, description=None), clock=lambda: later
    )

    assert (revised.version, revised.updated_at, revised.description) == (2, later, None)
    assert data(uow)["version"] == 2


async def test_an_update_against_an_older_version_is_stale_and_changes_nothing() -> None:
    uow = FakeFulfillmentUnitOfWork()
    made = await supply_lines.create(uow, terms())
    await supply_lines.deactivate(uow, made.supply_line_id, 1)

    with pytest.raises(StaleVersion):
        await supply_lines.update(uow, made.supply_line_id, 1, made.terms)
    with pytest.raises(StaleVersion):
        await supply_lines.deactivate(uow, made.supply_line_id, 1)
    assert (await supply_lines.get(uow.supply_lines, made.supply_line_id)).version == 2


async def test_unchanged_terms_and_a_second_deactivation_publish_nothing() -> None:
    uow = FakeFulfillmentUnitOfWork()
    made = await supply_lines.create(uow, terms())

    assert await supply_lines.update(uow, made.supply_line_id, 1, made.terms) == made
    inactive = await supply_lines.deactivate(uow, made.supply_line_id, None)
    assert await supply_lines.deactivate(uow, made.supply_line_id, None) == inactive
    assert len(uow.published) == 2


async def test_changing_an_unknown_line_is_not_found() -> None:
    uow = FakeFulfillmentUnitOfWork()

    with pytest.raises(SupplyLineNotFound):
        await supply_lines.update(uow, uuid4(), 1, terms())
    with pytest.raises(SupplyLineNotFound):
        await supply_lines.deactivate(uow, uuid4(), None)
