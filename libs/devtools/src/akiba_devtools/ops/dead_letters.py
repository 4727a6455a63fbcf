"""Dead letters as an operator sees them: read from every `<topic>.dlq`, filtered, shown.

A dead letter is the original record unchanged (key, value, headers) plus the `akiba-dlq-*`
headers the consumer loop added: reason, consumer, original topic, partition and offset.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from akiba_contracts.catalogue import DLQ_SUFFIX, dlq_name
from akiba_contracts.envelope import CloudEvent, decode
from akiba_devtools.ops._kafka import Record

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class DeadLetter:
    """One record of a dead-letter topic and what its headers say about it."""

    dlq_topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    at: datetime

    @classmethod
    def of(cls, r: Record) -> DeadLetter:
        """The dead letter a consumed record is."""
        at = datetime.fromtimestamp(r.timestamp / 1000, UTC)
        headers = tuple(r.headers or ())
        return cls(r.topic, r.partition, r.offset, r.key, r.value or b"", headers, at)

    @property
    def id(self) -> str:
        """`<dlq topic>:<partition>:<offset>`: how commands name a dead letter."""
        return f"{self.dlq_topic}:{self.partition}:{self.offset}"

    def header(self, name: str) -> str | None:
        """The last value of a header, decoded."""
        found = [v for k, v in self.headers if k == name]
        return found[-1].decode(errors="replace") if found else None

    @property
    def original_topic(self) -> str:
        """Where the record failed (from its header, else the dlq topic's name)."""
        return self.header("akiba-dlq-topic") or self.dlq_topic.removesuffix(DLQ_SUFFIX)

    @property
    def reason(self) -> str:
        """Why the consumer gave up on it."""
        return self.header("akiba-dlq-reason") or "(no reason recorded)"

    @property
    def original_headers(self) -> list[tuple[str, bytes]]:
        """The headers the record had before it was dead-lettered."""
        return [(k, v) for k, v in self.headers if not k.startswith("akiba-dlq-")]

    def event(self) -> CloudEvent | None:
        """The CloudEvent it carries, or None if it never was one."""
        try:
            return decode(self.value)
        except ValueError:
            return None


@dataclass(frozen=True)
class Filters:
    """Which dead letters to list or act on."""

    topic: str | None = None
    reason: str | None = None
    older_than: timedelta | None = None
    newer_than: timedelta | None = None

    def admit(self, d: DeadLetter, now: datetime) -> bool:
        """Whether a dead letter passes every filter given."""
        if self.topic and self.topic not in (d.dlq_topic, d.original_topic):
            return False
        if self.reason and self.reason.lower() not in d.reason.lower():
            return False
        if self.older_than is not None and now - d.at < self.older_than:
            return False
        return self.newer_than is None or now - d.at <= self.newer_than


def dlq_topics(names: set[str], topic: str | None) -> list[str]:
    """The dead-letter topics to read: all there are, or the one `topic` names."""
    if topic:
        wanted = topic if topic.endswith(DLQ_SUFFIX) else dlq_name(topic)
        return [wanted] if wanted in names else []
    return sorted(n for n in names if n.endswith(DLQ_SUFFIX))


def duration(text: str) -> timedelta:
    """`90s`, `15m`, `1h`, `2d`, `1w` as a timedelta."""
    found = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if not found:
        raise ValueError(f"not a duration: {text!r} (say e.g. 30m, 1h, 2d)")
    return timedelta(seconds=int(found[1]) * _UNITS[found[2]])


def parse_id(text: str) -> tuple[str, int, int]:
    """`<dlq topic>:<partition>:<offset>` split into its parts."""
    topic, _, rest = text.rpartition(":")
    topic, _, partition = topic.rpartition(":")
    if not topic or not partition.isdigit() or not rest.isdigit():
        raise ValueError(f"not a dead letter id: {text!r} (say <dlq topic>:<partition>:<offset>)")
    return topic, int(partition), int(rest)


def line(d: DeadLetter, status: str) -> str:
    """One line of `akiba dlq list`."""
    key = (d.key or b"").decode(errors="replace")
    reason = " ".join(d.reason.split())[:160]
    when = d.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "\t".join(
        (d.dlq_topic, str(d.partition), str(d.offset), d.original_topic, key, when, status, reason)
    )


def full(d: DeadLetter) -> str:
    """Everything about one dead letter, for `akiba dlq show`."""
    event = d.event()
    body = (
        json.dumps(event.model_dump(mode="json", exclude_none=True), indent=2)
        if event
        else d.value.decode(errors="replace")
    )
    headers = "\n".join(f"  {k}: {v.decode(errors='replace')}" for k, v in d.headers)
    return "\n".join(
        (
            f"dead letter  {d.id}",
            f"at           {d.at.isoformat()}",
            f"original     {d.original_topic}:{d.header('akiba-dlq-partition')}"
            f":{d.header('akiba-dlq-offset')}",
            f"consumer     {d.header('akiba-dlq-consumer')}",
            f"key          {(d.key or b'').decode(errors='replace')}",
            f"reason       {d.reason}",
            "headers",
            headers or "  (none)",
            "event" if event else "value (not a CloudEvent)",
            body,
        )
    )
