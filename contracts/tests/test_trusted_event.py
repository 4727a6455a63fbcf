"""The fast constructor encodes exactly what the validating one does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import RFC_4122, UUID, uuid4

from akiba_contracts.envelope import decode, encode, encoded_event, new_event, trusted_event
from akiba_contracts.payloads.inventory import MovementType, StockMovementRecorded


def _payload() -> StockMovementRecorded:
    now = datetime.now(UTC)
    return StockMovementRecorded(
        movement_id=uuid4(),
        store_id=uuid4(),
        item_id=uuid4(),
        batch_id=uuid4(),
        lot_code="L1",
        expiry_date=date(2030, 1, 31),
        location_id=None,
        movement_type=MovementType.ISSUE,
        quantity=-5,
        occurred_at=now,
        recorded_at=now,
        actor="amina",
        reason_id=None,
        reference="DN-7",
        source=None,
        store_sequence=42,
    )


def test_a_trusted_event_encodes_like_a_validated_one_but_for_id_and_time() -> None:
    payload = _payload()
    common = {
        "type": StockMovementRecorded.event_type,
        "source": "/akiba/inventory",
        "subject": f"stores/{payload.store_id}",
        "data": payload,
        "partitionkey": payload.partition_key(),
        "storeseq": 42,
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    }
    fast, checked = trusted_event(**common), new_event(**common)  # type: ignore[arg-type]
    fast_doc = decode(encode(fast)).model_dump(exclude={"id", "time"})
    checked_doc = decode(encode(checked)).model_dump(exclude={"id", "time"})
    assert fast_doc == checked_doc
    assert decode(encode(fast)).time is not None and decode(encode(fast)).id != checked.id


class _DriverUuid(UUID):
    """Database drivers hand out UUID subclasses (asyncpg does)."""


def test_an_encoded_event_serialises_uuid_subclasses_and_keeps_nulls() -> None:
    store = _DriverUuid(str(uuid4()))
    fast = encoded_event(
        type="org.akiba.test.thing.happened.v1", source="/akiba/test", subject="things/1",
        data={"store_id": store, "note": None}, partitionkey=str(store), storeseq=3,
    )  # fmt: skip
    event = fast.decoded()
    assert event.data == {"store_id": str(store), "note": None}
    assert (event.id, event.type, event.storeseq) == (fast.id, fast.type, 3)


def test_encoded_events_get_distinct_version_7_ids_written_as_uuids_are() -> None:
    ids = [
        encoded_event(
            type="org.akiba.test.thing.happened.v1", source="/akiba/test", subject="things/1",
            data={}, partitionkey="k",
        ).id
        for _ in range(600)  # more than one draw of random bytes
    ]  # fmt: skip
    parsed = [UUID(i) for i in ids]
    assert [str(u) for u in parsed] == ids
    assert {u.version for u in parsed} == {7} and {u.variant for u in parsed} == {RFC_4122}
    assert len(set(ids)) == 600
