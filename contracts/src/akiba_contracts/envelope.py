"""CloudEvents 1.0 envelope in structured JSON mode: the whole event is the Kafka record value."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from time import time_ns
from typing import Annotated, Any, Literal, TypeVar, overload

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import core_schema as cs

from akiba_contracts.payloads.base import Payload, schema_uri

__all__ = [
    "CLOUDEVENTS_CONTENT_TYPE",
    "DATA_CONTENT_TYPE",
    "CloudEvent",
    "EncodedEvent",
    "InvalidEnvelope",
    "decode",
    "encode",
    "encoded_event",
    "kafka_headers",
    "new_event",
    "serialised",
    "trusted_event",
]

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"
DATA_CONTENT_TYPE = "application/json"

# CloudEvents attribute names: MUST be lower-case ASCII letters or digits (length ≤ 20 is a
# SHOULD, so foreign extensions longer than that are still accepted; ours are all ≤ 20).
ATTRIBUTE_NAME = re.compile(r"[a-z0-9]+")
# RFC 3339 section 5.6 date-time; pydantic alone would also accept "2024-01-01 10:00Z" or epochs.
# Checked by pydantic-core's (Rust) regex: anchored, ASCII digits spelled out.
RFC3339 = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
# CloudEvents "Integer" is a signed 32-bit whole number.
INT32_MAX = 2**31 - 1
URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


class InvalidEnvelope(ValueError):
    """The bytes are not a valid CloudEvents 1.0 structured JSON event; the message says why."""


TIME_MESSAGE = "time must be an RFC 3339 timestamp, e.g. 2024-05-01T10:00:00Z"
URI_MESSAGE = "dataschema must be an absolute URI"


def _rfc3339_then_datetime(source: Any, handler: GetCoreSchemaHandler) -> cs.CoreSchema:
    """An RFC 3339 string (pattern), then an aware datetime; from Python also a datetime.

    Checked in pydantic-core, not by a Python validator: every consumed event has a time, and
    a Python call per event was a twentieth of the event backbone's CPU.
    """
    aware = handler(source)
    text = cs.chain_schema([cs.str_schema(pattern=RFC3339, strict=True), aware])
    given = cs.chain_schema([cs.is_instance_schema(datetime), aware])
    return cs.json_or_python_schema(
        json_schema=text, python_schema=cs.union_schema([given, text], mode="left_to_right")
    )


NonEmpty = Annotated[str, Field(min_length=1)]
UriReference = Annotated[
    str, Field(min_length=1, pattern=r"^\S+$", json_schema_extra={"format": "uri-reference"})
]
Timestamp = Annotated[
    AwareDatetime,
    GetPydanticSchema(_rfc3339_then_datetime),
    WithJsonSchema({"format": "date-time", "type": "string"}),
]
AbsoluteUri = Annotated[
    str,
    StringConstraints(pattern=f"^(?:{URI_SCHEME.pattern})$"),
    WithJsonSchema({"format": "uri", "type": "string"}),
]


class CloudEvent(BaseModel):
    """One CloudEvents 1.0 event; extension attributes not declared here are kept as extras."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        use_attribute_docstrings=True,
        json_schema_extra={"propertyNames": {"pattern": "^[a-z0-9]+$"}},
    )

    specversion: Literal["1.0"]
    id: NonEmpty
    """Unique per source; a redelivered event keeps its id (consumers deduplicate on it)."""
    source: UriReference
    """The producing context, e.g. /akiba/inventory."""
    type: NonEmpty
    """Reverse-DNS event type ending in a version, e.g. org.akiba.inventory.….v1."""
    time: Timestamp | None = None
    """When the fact happened (RFC 3339)."""
    subject: NonEmpty | None = None
    """What the event is about within the source, e.g. a movement id."""
    datacontenttype: NonEmpty | None = None
    """Always application/json for Akiba events."""
    dataschema: AbsoluteUri | None = None
    """URI of the payload's JSON Schema (urn:akiba:schema:<type>)."""
    data: dict[str, Any] | None = None
    """The payload, a JSON object described by dataschema."""
    partitionkey: NonEmpty | None = None
    """Partitioning extension: the Kafka record key."""
    traceparent: NonEmpty | None = None
    """Distributed Tracing extension: W3C trace context of the operation that caused the event."""
    tracestate: str | None = None
    """Distributed Tracing extension: W3C vendor trace state."""
    siteid: NonEmpty | None = None
    """Akiba extension: the edge site that recorded the fact."""
    storeseq: Annotated[int, Field(ge=1, le=INT32_MAX)] | None = None
    """Akiba extension: the store's sequence number of the fact (per-store order)."""
    siteversion: Annotated[int, Field(ge=1, le=INT32_MAX)] | None = None
    """Akiba extension: the version of its own record (auth.sites) the site held when it
    recorded the fact; a reader holding an older version of the site is behind, not refusing."""

    @model_validator(mode="after")
    def _check_extensions(self) -> CloudEvent:
        """Drop null extensions (null means unset) and reject names or values the spec forbids."""
        extras = self.__pydantic_extra__
        if not extras:
            return self
        for name, value in list(extras.items()):
            if value is None:
                del extras[name]
            else:
                _check_extension(name, value)
        return self

    @property
    def extensions(self) -> dict[str, Any]:
        """Extension attributes this model does not declare, as received."""
        return dict(self.__pydantic_extra__ or {})


def _check_extension(name: str, value: object) -> None:
    if name == "data_base64":
        raise ValueError("data_base64 is not supported: Akiba event data is a JSON object")
    if not ATTRIBUTE_NAME.fullmatch(name):
        raise ValueError(f"attribute name {name!r} must be lower-case letters a-z or digits 0-9")
    if isinstance(value, int) and not isinstance(value, bool):
        if not -INT32_MAX - 1 <= value <= INT32_MAX:
            raise ValueError(f"extension {name!r}: integers must fit in 32 bits")
    elif not isinstance(value, str | bool):
        raise ValueError(f"extension {name!r} must be a string, integer or boolean")


def encode(event: CloudEvent) -> bytes:
    """Serialise an event as a CloudEvents structured JSON document (absent attributes omitted)."""
    return event.model_dump_json(exclude_none=True).encode()


Event = TypeVar("Event", bound=CloudEvent)


@overload
def decode(raw: bytes | str) -> CloudEvent: ...
@overload
def decode(raw: bytes | str, envelope: type[Event]) -> Event: ...


def decode(raw: bytes | str, envelope: type[CloudEvent] = CloudEvent) -> CloudEvent:
    """Parse a structured JSON CloudEvent, raising InvalidEnvelope with the reason.

    `envelope` may be a CloudEvent subclass whose `data` is a payload model (or that model or a
    dict, left to right): envelope and payload are then decoded in one pass over the bytes.
    """
    try:
        return envelope.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidEnvelope(_reason(exc)) from None


def _reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "event"
        parts.append(f"{where}: {_message(where, error['type'], error['msg'])}")
    return "invalid CloudEvent: " + "; ".join(parts)


def _message(where: str, kind: str, msg: str) -> str:
    """The attribute's own words for a shape pydantic-core checks (its pattern messages
    would show the regular expression)."""
    if where.startswith("time") and kind in ("string_pattern_mismatch", "string_type"):
        return TIME_MESSAGE
    if where.startswith("dataschema") and kind == "string_pattern_mismatch":
        return URI_MESSAGE
    return msg


def kafka_headers(event: CloudEvent) -> list[tuple[str, bytes]]:
    """Kafka headers for routing without parsing; copies only, the record value is authoritative."""
    headers = [
        ("content-type", CLOUDEVENTS_CONTENT_TYPE.encode()),
        ("ce_type", event.type.encode()),
        ("ce_id", event.id.encode()),
    ]
    if event.traceparent:
        headers.append(("traceparent", event.traceparent.encode()))
    return headers


def new_event(
    *,
    source: str,
    type: str,
    subject: str,
    data: BaseModel,
    partitionkey: str,
    dataschema: str | None = None,
    traceparent: str | None = None,
    siteid: str | None = None,
    storeseq: int | None = None,
    siteversion: int | None = None,
    id: str | None = None,
    time: datetime | None = None,
) -> CloudEvent:
    """Build an event with a fresh time-ordered id and UTC time; a Payload's schema URI is the
    default."""
    if isinstance(data, Payload):
        if data.event_type != type:
            raise InvalidEnvelope(f"type {type!r} does not match payload type {data.event_type!r}")
        dataschema = dataschema or schema_uri(type)
    try:
        return CloudEvent(
            specversion="1.0",
            id=id or fresh_event_id(),
            source=source,
            type=type,
            time=time or datetime.now(UTC),
            subject=subject,
            datacontenttype=DATA_CONTENT_TYPE,
            dataschema=dataschema,
            data=data.model_dump(mode="json"),
            partitionkey=partitionkey,
            traceparent=traceparent,
            siteid=siteid,
            storeseq=storeseq,
            siteversion=siteversion,
        )
    except ValidationError as exc:
        raise InvalidEnvelope(_reason(exc)) from None


def trusted_event(
    *,
    type: str,
    source: str,
    subject: str,
    data: Payload,
    partitionkey: str,
    traceparent: str | None = None,
    siteid: str | None = None,
    storeseq: int | None = None,
    siteversion: int | None = None,
) -> CloudEvent:
    """`new_event` without re-validation, for hot paths whose payload is already a valid model.

    The payload was validated when it was built (or built from validated domain objects), and
    every envelope attribute set here is well-formed by construction; skipping the second
    validation halves the cost of an event. A test holds it to `new_event`'s output.
    """
    return CloudEvent.model_construct(
        specversion="1.0",
        id=fresh_event_id(),
        source=source,
        type=type,
        time=datetime.now(UTC),
        subject=subject,
        datacontenttype=DATA_CONTENT_TYPE,
        dataschema=schema_uri(type),
        data=data.model_dump(mode="json"),
        partitionkey=partitionkey,
        traceparent=traceparent,
        siteid=siteid,
        storeseq=storeseq,
        siteversion=siteversion,
    )


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """An event already serialised as structured JSON, with the attributes routing needs."""

    id: str
    type: str
    traceparent: str | None
    value: bytes

    def decoded(self) -> CloudEvent:
        """The event parsed back (validated), e.g. for a test or a log."""
        return decode(self.value)


def encoded_event(
    *,
    type: str,
    source: str,
    subject: str,
    data: Mapping[str, Any],
    partitionkey: str,
    traceparent: str | None = None,
    storeseq: int | None = None,
) -> EncodedEvent:
    """Serialise straight from a JSON-ready mapping: the hot path of a ledger posting.

    For producers that publish tens of thousands of events per second from values that are
    valid by construction (a posting's rows): no payload model, no envelope model, one orjson
    call. `data` holds UUIDs, dates, aware datetimes, enums' values, ints, strings and None
    (kept as null, as the payload models serialise it). Tests hold the result to `new_event`.
    """
    event_id = fresh_event_id()
    doc: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": type,
        "time": datetime.now(UTC),
        "subject": subject,
        "datacontenttype": DATA_CONTENT_TYPE,
        "dataschema": schema_uri(type),
        "data": data,
        "partitionkey": partitionkey,
    }
    if traceparent is not None:
        doc["traceparent"] = traceparent
    if storeseq is not None:
        doc["storeseq"] = storeseq
    value = orjson.dumps(doc, default=_uuid_subclass, option=orjson.OPT_UTC_Z)
    return EncodedEvent(event_id, type, traceparent, value)


# A random hex digit → the digit that keeps its two low bits under the RFC 9562 variant (10xx).
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


class _TimeOrderedIds:
    """Version 7 UUIDs as text: the millisecond of their making, then 74 random bits.

    Every consumer's inbox keys its rows by event id. With random (version 4) ids each new
    row lands on a random page of that index, so every event dirtied a page of its own and,
    after each checkpoint, logged that whole page; ids that grow with time are appended
    where the last ones went. The random digits come from one os.urandom call per 256 ids
    (uuid.uuid4 makes a system call per id) and the millisecond's digits are printed once
    per millisecond: the id is sliced from text, no uuid.UUID is built.
    """

    def __init__(self) -> None:
        self._digits = ""
        self._at = 0
        self._ms = -1
        self._prefix = ""

    def __call__(self) -> str:
        if self._at >= len(self._digits):
            self._digits, self._at = os.urandom(10 * 256).hex(), 0
        ms = time_ns() // 1_000_000
        if ms != self._ms:
            h = f"{ms:012x}"
            self._ms, self._prefix = ms, f"{h[:8]}-{h[8:]}-7"  # 48 bits of time, version 7
        r = self._digits[self._at : self._at + 20]  # 19 digits used: 74 random bits
        self._at += 20
        return f"{self._prefix}{r[:3]}-{_VARIANT[r[3]]}{r[4:7]}-{r[7:19]}"


fresh_event_id = _TimeOrderedIds()


def _uuid_subclass(value: object) -> str:
    # orjson serialises uuid.UUID itself; asyncpg hands out its own UUID subclass.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def serialised(event: CloudEvent | EncodedEvent) -> bytes:
    """The record value of an event, whichever way it was built."""
    return event.value if isinstance(event, EncodedEvent) else encode(event)
