"""auth.supervision: the supervision tree's records, their keys and their bounds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from akiba_contracts import payload_model, topic
from akiba_contracts.catalogue import topic_for
from akiba_contracts.payloads import RequisitionGroupChanged, SupervisoryNodeChanged

NODE_TYPE = "org.akiba.auth.supervisory-node.changed.v1"
GROUP_TYPE = "org.akiba.auth.requisition-group.changed.v1"


def _node(**changes: Any) -> SupervisoryNodeChanged:
    values: dict[str, Any] = {
        "node_id": uuid.uuid4(),
        "code": "SN-NORTH",
        "name": "Northern region",
        "facility_id": None,
        "parent_id": None,
        "active": True,
        "changed_at": datetime.now(UTC),
    }
    return SupervisoryNodeChanged(**(values | changes))


def _group(**changes: Any) -> RequisitionGroupChanged:
    values: dict[str, Any] = {
        "group_id": uuid.uuid4(),
        "code": "RG-NORTH-D1",
        "name": "Northern district 1 facilities",
        "node_id": uuid.uuid4(),
        "facility_ids": [uuid.uuid4()],
        "program_ids": [uuid.uuid4()],
        "active": True,
        "changed_at": datetime.now(UTC),
    }
    return RequisitionGroupChanged(**(values | changes))


def test_auth_supervision_is_auths_compacted_topic_carrying_nodes_and_groups() -> None:
    t = topic("auth.supervision")
    assert (t.owner, t.key, t.partitions) == ("auth", "node_id or group_id", 3)
    assert (t.cleanup_policy, t.retention_ms) == ("compact", None)
    assert t.event_types == (NODE_TYPE, GROUP_TYPE)
    assert "latest record per key" in t.description


def test_both_event_types_resolve_to_their_models_and_to_auth_supervision() -> None:
    assert payload_model(NODE_TYPE) is SupervisoryNodeChanged
    assert payload_model(GROUP_TYPE) is RequisitionGroupChanged
    assert topic_for(NODE_TYPE).name == topic_for(GROUP_TYPE).name == "auth.supervision"


def test_a_node_is_keyed_by_its_id_and_a_group_by_its_own() -> None:
    node, group = _node(), _group()
    assert node.partition_key() == str(node.node_id)
    assert group.partition_key() == str(group.group_id) != str(group.node_id)


@pytest.mark.parametrize(
    ("field", "value"),
    [("code", ""), ("code", "SN NORTH"), ("code", "x" * 65), ("name", " padded"), ("name", "")],
)
def test_a_node_refuses_an_unbounded_code_or_name(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        _node(**{field: value})


def test_a_group_refuses_more_facilities_than_auth_accepts() -> None:
    _group(facility_ids=[uuid.uuid4() for _ in range(10_000)])
    with pytest.raises(ValidationError, match="facility_ids"):
        _group(facility_ids=[uuid.uuid4() for _ in range(10_001)])


def test_a_node_without_a_timezone_on_its_change_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="changed_at"):
        _node(changed_at=datetime(2025, 1, 1))
