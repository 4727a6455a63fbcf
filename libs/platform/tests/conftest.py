"""Shared helpers for the platform's tests."""

from __future__ import annotations

from uuid import uuid4

from pydantic import BaseModel

from akiba_contracts.envelope import CloudEvent, new_event
from akiba_contracts.payloads.inventory import StockLevelChanged
from akiba_platform.outbox import OutboxMessage


class Ping(BaseModel):
    """A tiny payload for backbone tests."""

    n: int


def event(n: int = 0, key: str = "k", traceparent: str | None = None) -> CloudEvent:
    """A valid CloudEvent carrying a number."""
    return new_event(
        source="/akiba/test",
        type="org.akiba.test.ping.v1",
        subject="test",
        data=Ping(n=n),
        partitionkey=key,
        traceparent=traceparent,
    )


def message(topic: str = "t", n: int = 0, key: str = "k") -> OutboxMessage:
    """An outbox message carrying a number."""
    return OutboxMessage(topic, key, event(n, key))


__all__ = ["Ping", "StockLevelChanged", "event", "message", "uuid4"]
