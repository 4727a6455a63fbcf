"""The CloudEvents 1.0 envelope: structured JSON mode, spec conformance and Kafka headers."""

from __future__ import annotations

import json
import re
from datetime import datetime
from time import time_ns
from typing import Any
from uuid import RFC_4122, UUID

import pytest
from pydantic import ValidationError

from akiba_contracts import (
    CLOUDEVENTS_CONTENT_TYPE,
    CloudEvent,
    InvalidEnvelope,
    StockLevelChanged,
    StockMovementRecorded,
    decode,
    encode,
    kafka_headers,
    new_event,
    payload_model,
    schema_uri,
)
from akiba_contracts.envelope import encoded_event, fresh_event_id, trusted_event

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
MINIMAL = {"specversion": "1.0", "id": "e-1", "source": "/akiba/inventory", "type": "t.v1"}


def raw(**attributes: Any) -> bytes:
    return json.dumps({**MINIMAL, **attributes}).encode()


def event_of(payload: StockMovementRecorded, **extra: Any) -> CloudEvent:
    return new_event(
        source="/akiba/inventory",
        type=payload.event_type,
        subject=str(payload.movement_id),
        data=payload,
        partitionkey=payload.partition_key(),
        **extra,
    )


def test_an_event_survives_an_encode_decode_round_trip(movement: StockMovementRecorded) -> None:
    event = event_of(movement, traceparent=TRACEPARENT, siteid="site-1", storeseq=7)
    assert decode(encode(event)) == event


def test_the_data_decodes_back_into_its_payload_model(movement: StockMovementRecorded) -> None:
    event = decode(encode(event_of(movement)))
    assert payload_model(event.type).model_validate(event.data) == movement


def test_encoded_events_hold_every_set_attribute_at_the_top_level(
    movement: StockMovementRecorded,
) -> None:
    document = json.loads(encode(event_of(movement, storeseq=3)))
    assert document["specversion"] == "1.0"
    assert document["partitionkey"] == str(movement.store_id)
    assert document["storeseq"] == 3
    assert document["datacontenttype"] == "application/json"
    assert document["dataschema"] == schema_uri(movement.event_type)
    assert "siteid" not in document and "traceparent" not in document


def test_a_minimal_event_with_only_the_required_attributes_decodes() -> None:
    assert decode(raw()).time is None


@pytest.mark.parametrize("attribute", ["specversion", "id", "source", "type"])
def test_an_event_missing_a_required_attribute_is_invalid(attribute: str) -> None:
    document = {k: v for k, v in MINIMAL.items() if k != attribute}
    with pytest.raises(InvalidEnvelope, match=rf"{attribute}: Field required"):
        decode(json.dumps(document).encode())


@pytest.mark.parametrize("attribute", ["id", "source", "type"])
def test_a_required_attribute_must_not_be_empty(attribute: str) -> None:
    with pytest.raises(InvalidEnvelope, match=attribute):
        decode(raw(**{attribute: ""}))


def test_a_specversion_other_than_1_0_is_invalid() -> None:
    with pytest.raises(InvalidEnvelope, match="specversion"):
        decode(raw(specversion="0.3"))


def test_invalid_json_is_an_invalid_envelope_with_the_reason() -> None:
    with pytest.raises(InvalidEnvelope, match="Invalid JSON"):
        decode(b'{"specversion": "1.0",')


def test_a_json_document_that_is_not_an_object_is_an_invalid_envelope() -> None:
    with pytest.raises(InvalidEnvelope, match="object"):
        decode(b"[1, 2]")


def test_invalid_envelope_is_a_value_error() -> None:
    assert issubclass(InvalidEnvelope, ValueError)


@pytest.mark.parametrize(
    "time",
    ["2024-05-01T10:00:00Z", "2024-05-01t10:00:00.123456z", "2024-05-01T13:00:00.5+03:00"],
)
def test_rfc_3339_times_are_accepted(time: str) -> None:
    decoded = decode(raw(time=time)).time
    assert decoded is not None and decoded.utcoffset() is not None


@pytest.mark.parametrize(
    "time",
    ["2024-05-01 10:00:00Z", "2024-05-01T10:00:00", "2024-05-01", "1714557600", 1714557600],
)
def test_times_that_are_not_rfc_3339_are_invalid(time: object) -> None:
    with pytest.raises(InvalidEnvelope, match="time"):
        decode(raw(time=time))


def test_times_are_encoded_as_rfc_3339(movement: StockMovementRecorded) -> None:
    time = json.loads(encode(event_of(movement)))["time"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", time)


def test_unknown_extensions_are_kept_through_a_round_trip() -> None:
    event = decode(raw(comexampleflag=True, region="east", retries=2))
    assert event.extensions == {"comexampleflag": True, "region": "east", "retries": 2}
    assert decode(encode(event)) == event


def test_null_attributes_are_treated_as_unset() -> None:
    event = decode(raw(subject=None, futureext=None))
    assert event.subject is None and event.extensions == {}
    assert "futureext" not in json.loads(encode(event))


@pytest.mark.parametrize("name", ["Region", "region_code", "region-code", "réigon"])
def test_extension_names_must_be_lowercase_ascii_letters_or_digits(name: str) -> None:
    with pytest.raises(InvalidEnvelope, match="attribute name"):
        decode(raw(**{name: "x"}))


@pytest.mark.parametrize("value", [{"a": 1}, [1], 1.5, 2**31])
def test_extension_values_must_be_cloudevents_scalars(value: object) -> None:
    with pytest.raises(InvalidEnvelope, match="extension 'weird'"):
        decode(raw(weird=value))


def test_every_declared_attribute_name_follows_the_naming_rules() -> None:
    for name in CloudEvent.model_fields:
        assert re.fullmatch(r"[a-z0-9]{1,20}", name), name


def test_binary_data_is_rejected_with_the_reason() -> None:
    with pytest.raises(InvalidEnvelope, match="data_base64 is not supported"):
        decode(raw(data_base64="AAEC"))


@pytest.mark.parametrize("storeseq", [0, 2**31])
def test_storeseq_must_be_a_positive_cloudevents_integer(storeseq: int) -> None:
    with pytest.raises(InvalidEnvelope, match="storeseq"):
        decode(raw(storeseq=storeseq))


def test_dataschema_must_be_an_absolute_uri() -> None:
    with pytest.raises(InvalidEnvelope, match="dataschema"):
        decode(raw(dataschema="schemas/x.json"))


def test_events_are_immutable() -> None:
    event = decode(raw())
    with pytest.raises(ValidationError):
        event.id = "other"  # type: ignore[misc]


def test_kafka_headers_copy_the_routing_attributes(movement: StockMovementRecorded) -> None:
    event = event_of(movement, traceparent=TRACEPARENT)
    assert kafka_headers(event) == [
        ("content-type", CLOUDEVENTS_CONTENT_TYPE.encode()),
        ("ce_type", movement.event_type.encode()),
        ("ce_id", event.id.encode()),
        ("traceparent", TRACEPARENT.encode()),
    ]


def test_kafka_headers_leave_out_an_unset_traceparent(movement: StockMovementRecorded) -> None:
    names = [name for name, _ in kafka_headers(event_of(movement))]
    assert names == ["content-type", "ce_type", "ce_id"]


def test_new_event_gives_each_event_a_fresh_id_and_a_utc_time(
    movement: StockMovementRecorded,
) -> None:
    first, second = event_of(movement), event_of(movement)
    assert first.id != second.id
    assert first.time is not None and first.time.utcoffset() is not None


def test_event_ids_are_version_7_uuids_that_grow_with_the_millisecond_they_were_made() -> None:
    before = time_ns() // 1_000_000
    ids = [fresh_event_id() for _ in range(600)]  # more than one pool of random bytes
    after = time_ns() // 1_000_000
    parsed = [UUID(i) for i in ids]
    assert all(u.version == 7 and u.variant == RFC_4122 for u in parsed)
    assert len(set(ids)) == len(ids) and all(str(u) == i for u, i in zip(parsed, ids, strict=True))
    made = [u.int >> 80 for u in parsed]  # the first 48 bits: Unix time in milliseconds
    assert made == sorted(made) and before <= made[0] and made[-1] <= after


def test_every_way_of_building_an_event_gives_it_a_time_ordered_id(
    movement: StockMovementRecorded,
) -> None:
    how: dict[str, Any] = {"type": movement.event_type, "source": "/akiba/inventory",
           "subject": "s", "partitionkey": "k"}  # fmt: skip
    built = [
        event_of(movement).id,
        trusted_event(**how, data=movement).id,
        encoded_event(**how, data={"quantity": 1}).id,
    ]
    assert [UUID(i).version for i in built] == [7, 7, 7]


def test_new_event_keeps_an_explicit_id_time_and_dataschema(
    movement: StockMovementRecorded,
) -> None:
    at = datetime.fromisoformat("2024-05-01T10:00:00+00:00")
    event = event_of(movement, id="fixed", time=at, dataschema="https://example.org/s.json")
    assert (event.id, event.time, event.dataschema) == ("fixed", at, "https://example.org/s.json")


def test_new_event_refuses_a_payload_of_another_type(level: StockLevelChanged) -> None:
    with pytest.raises(InvalidEnvelope, match="does not match payload type"):
        new_event(
            source="/akiba/inventory",
            type=StockMovementRecorded.event_type,
            subject="s",
            data=level,
            partitionkey="k",
        )


def test_new_event_refuses_a_time_without_an_offset(movement: StockMovementRecorded) -> None:
    with pytest.raises(InvalidEnvelope, match="time"):
        event_of(movement, time=datetime(2024, 5, 1, 10))


def test_payloads_ignore_fields_they_do_not_know(movement: StockMovementRecorded) -> None:
    data = {**movement.model_dump(mode="json"), "added_in_v1_1": "x"}
    assert StockMovementRecorded.model_validate(data) == movement


@pytest.mark.parametrize(
    "time",
    ["2024-05-01T10:00:00Z", "2024-05-01t10:00:00.25z", "2024-05-01T10:00:00.123456+02:00"],
)
def test_an_rfc_3339_time_is_read_as_an_aware_datetime(time: str) -> None:
    event = decode(raw(time=time))
    assert event.time is not None and event.time.utcoffset() is not None


@pytest.mark.parametrize(
    "time",
    ["2024-05-01 10:00:00Z", "2024-05-01T10:00Z", "2024-05-01T10:00:00", "1714557600", 1714557600],
)
def test_a_time_that_is_not_rfc_3339_is_refused_in_the_attributes_words(time: Any) -> None:
    with pytest.raises(InvalidEnvelope, match="time: time must be an RFC 3339 timestamp"):
        decode(raw(time=time))


def test_a_dataschema_that_is_no_absolute_uri_is_refused_in_the_attributes_words() -> None:
    assert decode(raw(dataschema="urn:akiba:schema:t.v1")).dataschema == "urn:akiba:schema:t.v1"
    with pytest.raises(InvalidEnvelope, match="dataschema: dataschema must be an absolute URI"):
        decode(raw(dataschema="schemas/t.json"))


def test_built_in_python_a_time_is_an_aware_datetime_or_rfc_3339_text() -> None:
    at = datetime.fromisoformat("2024-05-01T10:00:00+00:00")
    assert CloudEvent.model_validate({**MINIMAL, "time": at}).time == at
    assert CloudEvent.model_validate({**MINIMAL, "time": "2024-05-01T10:00:00Z"}).time == at
    for wrong in ("2024-05-01 10:00:00Z", datetime(2024, 5, 1, 10), 1714557600):
        with pytest.raises(ValidationError):
            CloudEvent.model_validate({**MINIMAL, "time": wrong})
