"""Reference records become full-state `…Changed` events keyed by their id."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from akiba_contracts.catalogue import topic
from akiba_contracts.envelope import decode, encode
from akiba_inventory import reference_events
from akiba_stock import reference as ref

RECORDS: list[ref.Reference] = [
    ref.FacilityType(uuid4(), "HC", "Health centre"),
    ref.GeographicZone(uuid4(), "KE", "Kenya", 1),
    ref.Store(uuid4(), "HF-1", "Kibera", uuid4(), uuid4(), ref.ManagedBy.SITE),
    ref.Item(uuid4(), "AMX", "Amoxicillin", "tablet", 100, gtin="4006381333931"),
    ref.BatchRecord(uuid4(), uuid4(), "L1", date(2028, 1, 31), "Cipla"),
    ref.Location(uuid4(), uuid4(), "A-01", "Shelf A1", cold_chain=True),
    ref.AdjustmentReason(
        uuid4(),
        "Damaged",
        ref.ReasonDirection.DEBIT,
        ref.ReasonCategory.ADJUSTMENT,
        program_ids=(uuid4(),),
    ),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_each_record_publishes_its_full_state_keyed_by_its_id_on_a_compacted_topic(
    record: ref.Reference,
) -> None:
    message = reference_events.changed(record)
    assert message.key == str(record.id)
    t = topic(message.topic)
    assert t.cleanup_policy == "compact" and t.retention_ms is None and t.partitions == 3
    assert message.event.type in t.event_types
    assert (
        message.event.type.startswith("org.akiba.inventory.")
        and ".changed.v1" in message.event.type
    )
    data = decode(encode(message.event)).data or {}
    assert data["version"] == record.version and data["active"] is True
    assert str(record.id) in data.values()


def test_a_reason_event_lists_its_programs() -> None:
    reason = RECORDS[-1]
    assert isinstance(reason, ref.AdjustmentReason)
    data = reference_events.changed(reason).event.data or {}
    assert data["program_ids"] == [str(p) for p in reason.program_ids]
    assert (data["direction"], data["category"]) == ("debit", "adjustment")
