"""What requisition learns from other services' topics: newer records win, replays do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from akiba_contracts.payloads import RequisitionGroupChanged, SupplyLineChanged

World = Any  # the `world` fixture (conftest.World)
NOW = datetime.now(UTC)


async def test_a_replayed_older_supply_line_does_not_undo_a_newer_one(world: World) -> None:
    line, node, program = uuid4(), uuid4(), uuid4()

    def version(v: int, supplier: Any) -> SupplyLineChanged:
        return SupplyLineChanged(
            supply_line_id=line, supervisory_node_id=node, program_id=program,
            supplying_facility_id=supplier, description=None, active=True, version=v,
            changed_at=NOW,
        )  # fmt: skip

    first, second = uuid4(), uuid4()
    await world.learn(version(1, first), version(2, second), version(1, first))
    found = await world.pool.fetchval(
        "select supplying_facility_id from supply_lines where supply_line_id = $1", line
    )
    assert found == second


async def test_a_group_takes_its_latest_members_only(world: World) -> None:
    group, node, program = uuid4(), uuid4(), uuid4()
    old, new = [uuid4()], [uuid4(), uuid4()]

    def record(facilities: list[Any], at: datetime) -> RequisitionGroupChanged:
        return RequisitionGroupChanged(
            group_id=group, code="G", name="g", node_id=node, facility_ids=facilities,
            program_ids=[program], active=True, changed_at=at,
        )  # fmt: skip

    await world.learn(record(new, NOW), record(old, NOW - timedelta(hours=1)))
    members = await world.pool.fetchval(
        "select facility_ids from requisition_groups where group_id = $1", group
    )
    assert sorted(members) == sorted(new)
