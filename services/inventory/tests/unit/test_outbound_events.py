"""The ledger's fast-serialised events are exactly what the payload models would publish."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from akiba_contracts.envelope import CloudEvent, decode, encode, new_event
from akiba_contracts.payloads.inventory import StockLevelChanged, StockMovementRecorded
from akiba_inventory.adapters.ledger import Level
from akiba_inventory.outbound import LEVELS, MOVEMENTS, level_changed, movement_recorded
from akiba_stock.ledger import LedgerKind, StockLine
from akiba_stock.model import Batch, StockMovement

TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _movement(**changes: object) -> StockMovement:
    now = datetime.now(UTC)
    fields: dict[str, object] = {
        "movement_id": uuid4(),
        "store_id": uuid4(),
        "store_sequence": 42,
        "item_id": uuid4(),
        "batch": Batch(uuid4(), uuid4(), "L-1", date(2030, 1, 31)),
        "location_id": None,
        "movement_type": LedgerKind.ISSUE,
        "quantity": -5,
        "occurred_at": now.replace(microsecond=0),
        "recorded_at": now,
        "actor": "amina",
        "reference": "DN-7",
        "source": None,
        "reason_id": None,
    }
    fields.update(changes)
    return StockMovement(**fields)  # type: ignore[arg-type]


def _same_but_id_and_time(fast: CloudEvent, checked: CloudEvent) -> None:
    assert fast.model_dump(exclude={"id", "time"}) == checked.model_dump(exclude={"id", "time"})
    assert fast.time is not None and fast.id != checked.id


def test_a_movement_event_decodes_to_what_the_payload_model_publishes() -> None:
    m = _movement(location_id=uuid4(), reason_id=uuid4(), source="District store")
    message = movement_recorded(m, TRACE)
    payload = StockMovementRecorded(
        movement_id=m.movement_id, store_id=m.store_id, item_id=m.item_id,
        batch_id=m.batch.batch_id, lot_code=m.batch.lot_code, expiry_date=m.batch.expiry_date,
        location_id=m.location_id, movement_type=m.movement_type.value, quantity=m.quantity,
        occurred_at=m.occurred_at, recorded_at=m.recorded_at, actor=m.actor,
        reason_id=m.reason_id, reference=m.reference, source=m.source,
        store_sequence=m.store_sequence,
    )  # fmt: skip
    checked = new_event(
        source="/akiba/inventory", type=payload.event_type, subject=f"stores/{m.store_id}",
        data=payload, partitionkey=payload.partition_key(), traceparent=TRACE, storeseq=42,
    )  # fmt: skip
    fast = decode(message.event.value)  # type: ignore[union-attr]
    _same_but_id_and_time(fast, decode(encode(checked)))
    assert (message.topic, message.key) == (MOVEMENTS, payload.partition_key())
    assert StockMovementRecorded.model_validate(fast.data) == payload


def test_absent_optional_facts_are_null_as_the_payload_models_write_them() -> None:
    m = _movement(batch=Batch(uuid4(), uuid4(), "L-2", None))
    event = decode(movement_recorded(m).event.value)  # type: ignore[union-attr]
    data = event.data or {}
    assert data["expiry_date"] is None and data["location_id"] is None
    assert event.traceparent is None


def test_a_level_event_decodes_to_what_the_payload_model_publishes() -> None:
    line = StockLine(uuid4(), uuid4(), uuid4(), None)
    level = Level(line, 17, 0, False, 9, datetime.now(UTC))
    last = uuid4()
    message = level_changed(level, last, TRACE)
    payload = StockLevelChanged(
        store_id=line.store_id, item_id=line.item_id, batch_id=line.batch_id, location_id=None,
        quantity_on_hand=17, last_movement_id=last, store_sequence=9, as_of=level.as_of,
    )  # fmt: skip
    checked = new_event(
        source="/akiba/inventory", type=payload.event_type, subject=f"stores/{line.store_id}",
        data=payload, partitionkey=payload.partition_key(), traceparent=TRACE,
    )  # fmt: skip
    fast = decode(message.event.value)  # type: ignore[union-attr]
    _same_but_id_and_time(fast, decode(encode(checked)))
    assert (message.topic, message.key) == (LEVELS, payload.partition_key())
