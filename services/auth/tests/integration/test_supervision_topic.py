"""auth.supervision: every tree change writes the node's or group's whole record to the outbox."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import pytest

from akiba_auth.__main__ import COMMANDS
from akiba_auth.handlers.tree import republish_tree
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.envelope import decode
from akiba_contracts.payloads import RequisitionGroupChanged, SupervisoryNodeChanged

if TYPE_CHECKING:  # conftest modules are not importable; the fixture brings the class
    from integration.conftest import AuthApi

TOPIC = "auth.supervision"


async def _records(api: AuthApi, key: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(CloudEvents type, partitionkey, data) of each outbox row under this key, oldest first."""
    rows = await api.pool.fetch(
        "select value from outbox where topic = $1 and key = $2 order by id", TOPIC, key
    )
    return [
        (e.type, e.partitionkey or "", e.data or {}) for e in (decode(r["value"]) for r in rows)
    ]


async def _node(api: AuthApi, **body: Any) -> dict[str, Any]:
    r = await api.post(
        "/supervisory-nodes", {"code": f"SN-{uuid4().hex[:6]}", "name": "Node", **body}
    )
    assert r.status_code == 201, r.text
    node: dict[str, Any] = r.json()
    return node


async def _group(api: AuthApi, node: str, facilities: list[UUID], programs: list[UUID]) -> str:
    body = {
        "code": f"RG-{uuid4().hex[:6]}",
        "name": "District facilities",
        "supervisory_node_id": node,
        "member_facility_ids": [str(f) for f in facilities],
        "program_ids": [str(p) for p in programs],
    }
    r = await api.post("/requisition-groups", body)
    assert r.status_code == 201, r.text
    return str(r.json()["group_id"])


def _without_time(data: dict[str, Any]) -> dict[str, Any]:
    assert data["changed_at"].endswith(("Z", "+00:00")), data["changed_at"]
    return {k: v for k, v in data.items() if k != "changed_at"}


async def test_creating_a_node_writes_its_whole_record_keyed_by_the_node(api: AuthApi) -> None:
    region = await _node(api)
    facility = uuid4()
    district = await _node(
        api, name="District 1", facility_id=str(facility), parent_id=region["node_id"]
    )
    [(kind, key, data)] = await _records(api, district["node_id"])
    assert (kind, key) == (SupervisoryNodeChanged.event_type, district["node_id"])
    assert _without_time(data) == {
        "node_id": district["node_id"],
        "code": district["code"],
        "name": "District 1",
        "facility_id": str(facility),
        "parent_id": region["node_id"],
        "active": True,
    }
    [(_, _, root)] = await _records(api, region["node_id"])
    assert (root["parent_id"], root["facility_id"]) == (None, None)


async def test_moving_and_renaming_a_node_publishes_its_new_state(api: AuthApi) -> None:
    region, node = await _node(api), await _node(api)
    r = await api.patch(f"/supervisory-nodes/{node['node_id']}", {"parent_id": region["node_id"]})
    assert r.status_code == 200, r.text
    r = await api.patch(f"/supervisory-nodes/{node['node_id']}", {"name": "Renamed"})
    assert r.status_code == 200, r.text
    records = [data for _, _, data in await _records(api, node["node_id"])]
    assert [(d["name"], d["parent_id"]) for d in records] == [
        ("Node", None),
        ("Node", region["node_id"]),
        ("Renamed", region["node_id"]),
    ]


async def test_a_refused_move_publishes_nothing(api: AuthApi) -> None:
    region = await _node(api)
    district = await _node(api, parent_id=region["node_id"])
    r = await api.patch(
        f"/supervisory-nodes/{region['node_id']}", {"parent_id": district["node_id"]}
    )
    assert r.status_code == 422
    assert len(await _records(api, region["node_id"])) == 1


async def test_creating_a_group_writes_its_facilities_and_programs_keyed_by_the_group(
    api: AuthApi,
) -> None:
    node = (await _node(api))["node_id"]
    facilities, programs = [uuid4(), uuid4(), uuid4()], [uuid4(), uuid4()]
    group = await _group(api, node, facilities, programs)
    [(kind, key, data)] = await _records(api, group)
    assert (kind, key) == (RequisitionGroupChanged.event_type, group)
    assert _without_time(data) == {
        "group_id": group,
        "code": data["code"],
        "name": "District facilities",
        "node_id": node,
        "facility_ids": sorted(str(f) for f in facilities),
        "program_ids": sorted(str(p) for p in programs),
        "active": True,
    }
    assert data["code"].startswith("RG-")


async def test_replacing_a_groups_members_or_programs_republishes_the_whole_group(
    api: AuthApi,
) -> None:
    node = (await _node(api))["node_id"]
    first, program = uuid4(), uuid4()
    group = await _group(api, node, [first], [program])
    second, other_program = uuid4(), uuid4()
    r = await api.put(f"/requisition-groups/{group}/members", {"ids": [str(second)]})
    assert r.status_code == 200, r.text
    r = await api.put(f"/requisition-groups/{group}/programs", {"ids": [str(other_program)]})
    assert r.status_code == 200, r.text
    records = [data for _, _, data in await _records(api, group)]
    assert [(d["facility_ids"], d["program_ids"]) for d in records] == [
        ([str(first)], [str(program)]),
        ([str(second)], [str(program)]),
        ([str(second)], [str(other_program)]),
    ]
    assert {d["node_id"] for d in records} == {node}


async def test_a_group_for_an_unknown_node_publishes_nothing(api: AuthApi) -> None:
    before = await api.pool.fetchval("select count(*) from outbox where topic = $1", TOPIC)
    r = await api.post(
        "/requisition-groups",
        {"code": "RG-NOWHERE", "name": "Nowhere", "supervisory_node_id": str(uuid4())},
    )
    assert r.status_code == 404
    assert await api.pool.fetchval("select count(*) from outbox where topic = $1", TOPIC) == before


async def test_republishing_the_tree_writes_every_node_and_group_again(api: AuthApi) -> None:
    region = (await _node(api))["node_id"]
    district = (await _node(api, parent_id=region))["node_id"]
    group = await _group(api, district, [uuid4()], [uuid4()])
    assert await republish_tree(AuthUnitOfWork(api.pool)) == (2, 1)
    for key in (region, district, group):
        first, again = await _records(api, key)
        assert _without_time(again[2]) == _without_time(first[2])
        assert again[:2] == first[:2]


async def test_the_republish_tree_command_queues_the_tree_and_says_how_much(
    api: AuthApi, kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    node = (await _node(api))["node_id"]
    settings = api.settings.model_copy(update={"kafka_bootstrap_servers": kafka_bootstrap})
    await COMMANDS["republish-tree"].run(settings, argparse.Namespace())
    assert len(await _records(api, node)) == 2
    assert "1 supervisory node(s), 0 requisition group(s)" in capsys.readouterr().out
