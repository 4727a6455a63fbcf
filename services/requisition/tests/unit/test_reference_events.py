"""Each reference record's event: its payload, topic and compaction key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from akiba_contracts.catalogue import topic_for
from akiba_contracts.payloads import ColumnSource, payload_model
from akiba_replenish.templates import Column, Source
from akiba_requisition.domain import reference as ref
from akiba_requisition.reference_events import changed

P, ITEM, F, S, G = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
PERIOD = ref.Period(uuid4(), S, "Q1 2026", date(2026, 1, 1), date(2026, 3, 31), version=4)
COLUMNS = {"requested_quantity": Column(Source.USER_INPUT, False)}
RECORDS: list[tuple[ref.Reference, str]] = [
    (ref.Program(P, "EPI", "Immunization"), f"{P}"),
    (ref.ProgramOrderable(P, ITEM, price_per_pack=Decimal("12.5")), f"{P}:{ITEM}"),
    (ref.ApprovedProduct(F, P, ITEM, Decimal(3), Decimal(1)), f"{F}:{P}:{ITEM}"),
    (ref.Schedule(S, "SCH-MONTHLY", "Monthly"), f"{S}"),
    (PERIOD, f"{PERIOD.period_id}"),
    (ref.GroupSchedule(G, P, S), f"{G}:{P}"),
    (ref.RequisitionTemplate(G, P, "EPI", COLUMNS, (F,), 3), f"{G}"),
    (ref.IdealStockAmount(F, ITEM, PERIOD.period_id, 120), f"{F}:{ITEM}:{PERIOD.period_id}"),
]


@pytest.mark.parametrize(("record", "key"), RECORDS, ids=lambda r: type(r).__name__)
def test_each_record_travels_whole_under_a_key_naming_one_thing(
    record: ref.Reference, key: str
) -> None:
    message = changed(record)
    assert message.key == key == message.event.partitionkey
    assert message.topic == topic_for(message.event.type).name
    assert message.topic.startswith("requisition.")
    data = payload_model(message.event.type).model_validate(message.event.data)
    assert data.model_dump(exclude={"changed_at", "months"}, mode="json") == {
        k: v for k, v in message.event.data.items() if k not in ("changed_at", "months")
    }
    assert message.event.data["version"] == record.version


def test_a_period_tells_its_length_in_months() -> None:
    data = changed(PERIOD).event.data
    assert (data["months"], data["start_date"], data["version"]) == (3, "2026-01-01", 4)


def test_a_template_travels_with_its_columns_and_decimals_as_text() -> None:
    template = changed(RECORDS[6][0]).event.data
    assert template["columns"] == {
        "requested_quantity": {"source": "USER_INPUT", "displayed": False}
    }
    assert changed(RECORDS[1][0]).event.data["price_per_pack"] == "12.5000"


def test_the_contract_names_the_same_column_sources_as_the_rules() -> None:
    assert [s.value for s in ColumnSource] == [s.value for s in Source]
