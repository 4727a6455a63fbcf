"""The projector decodes a movement's payload with its envelope, and judges what is not one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from akiba_contracts.envelope import CloudEvent, InvalidEnvelope, decode, encode, serialised
from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_inventory.consumers.projector import MovementEvent, _movements
from akiba_inventory.outbound import movement_recorded
from akiba_platform import Delivery, PermanentError
from akiba_stock.ledger import LedgerKind
from akiba_stock.model import Batch, StockMovement


def _recorded() -> bytes:
    now = datetime.now(UTC)
    movement = StockMovement(
        movement_id=uuid4(),
        store_id=uuid4(),
        store_sequence=3,
        item_id=uuid4(),
        batch=Batch(uuid4(), uuid4(), "L-1", date(2030, 1, 31)),
        location_id=None,
        movement_type=LedgerKind.RECEIPT,
        quantity=12,
        occurred_at=now,
        recorded_at=now,
        actor="amina",
        reference=None,
        source=None,
        reason_id=None,
    )
    return serialised(movement_recorded(movement, None).event)


def _delivery(event: CloudEvent) -> Delivery:
    return Delivery(event, None, UUID(event.id))  # type: ignore[arg-type]


def test_a_movements_payload_is_decoded_with_its_envelope_as_the_model_would() -> None:
    raw = _recorded()
    typed = decode(raw, MovementEvent)
    assert isinstance(typed.data, StockMovementRecorded)
    assert typed.data == StockMovementRecorded.model_validate(decode(raw).data)
    assert typed.model_dump(exclude={"data"}) == decode(raw).model_dump(exclude={"data"})


def test_an_invalid_movement_payload_stays_a_dict_and_is_refused_with_its_reason() -> None:
    poison = CloudEvent(
        specversion="1.0",
        id=str(uuid4()),
        source="/akiba/test",
        type=StockMovementRecorded.event_type,
        data={"quantity": "lots"},
    )
    typed = decode(encode(poison), MovementEvent)
    assert typed.data == {"quantity": "lots"}
    with pytest.raises(PermanentError, match="quantity"):
        _movements([_delivery(typed)])


def test_plain_envelopes_are_projected_too() -> None:
    plain = decode(_recorded())
    assert [m.quantity for m in _movements([_delivery(plain)])] == [12]


def test_a_bad_envelope_is_still_an_invalid_envelope() -> None:
    with pytest.raises(InvalidEnvelope, match="specversion"):
        decode(b'{"id": "x", "source": "/s", "type": "t"}', MovementEvent)
