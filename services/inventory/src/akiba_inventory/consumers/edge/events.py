"""What edge ingestion tells the sites and operations: acknowledgements, refusals, stalls."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from akiba_contracts.envelope import new_event
from akiba_contracts.payloads.base import Payload
from akiba_contracts.payloads.edge import (
    EdgeDocumentsApplied,
    EdgeEventRejected,
    EdgeRefusal,
    EdgeStoreResumed,
    EdgeStoreStalled,
)
from akiba_inventory.adapters.edge import Rejection
from akiba_inventory.outbound import SOURCE
from akiba_platform import OutboxMessage

REJECTIONS = "inventory.edge-rejections"
ACKS = "inventory.edge-acks"
STALLS = "inventory.edge-stalls"


def _message(topic: str, subject: str, payload: Payload) -> OutboxMessage:
    key = payload.partition_key()
    event = new_event(
        source=SOURCE, type=payload.event_type, subject=subject, data=payload, partitionkey=key
    )
    return OutboxMessage(topic, key, event)


def acknowledgement(
    store_id: UUID, site_id: UUID, next_sequence: int, now: datetime
) -> OutboxMessage:
    """How far central's ledger of a store goes: the site that writes it numbers on from there."""
    payload = EdgeDocumentsApplied(
        store_id=store_id, site_id=site_id, next_sequence=next_sequence, applied_at=now
    )
    return _message(ACKS, f"stores/{store_id}", payload)


def refusal(r: Rejection, now: datetime) -> OutboxMessage:
    """A refused site document, for the site (through its feed) and for operations."""
    payload = EdgeEventRejected(
        event_id=r.event_id,
        event_type_received=r.event_type,
        site_id=r.site_id,
        store_id=r.store_id,
        store_sequence=r.store_sequence,
        reason=r.reason,
        rejected_at=now,
        voided=r.voided,
        kind=EdgeRefusal(r.kind) if r.kind else None,
    )
    return _message(REJECTIONS, f"events/{r.event_id}", payload)


def stalled(s: EdgeStoreStalled) -> OutboxMessage:
    """A store whose documents wait too long: an alert until it moves again."""
    return _message(STALLS, f"stores/{s.store_id}", s)


def resumed(store_id: UUID, next_sequence: int, now: datetime) -> OutboxMessage:
    """A stalled store moves again."""
    payload = EdgeStoreResumed(store_id=store_id, next_sequence=next_sequence, resumed_at=now)
    return _message(STALLS, f"stores/{store_id}", payload)
