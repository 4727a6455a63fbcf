"""A shipment moves forward only, may be cancelled until it ships, and is received only when
every unit is accounted for."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from akiba_contracts.payloads import RejectionReason
from akiba_fulfillment.domain.errors import InvalidReceipt, ShipmentConflict
from akiba_fulfillment.domain.shipments import (
    Receipt,
    Shipment,
    ShipmentItem,
    ShipmentLot,
    ShipmentStatus,
    check_receipts,
    received,
)

NOW = datetime.now(UTC)


def _lot(quantity: int = 20) -> ShipmentLot:
    return ShipmentLot(uuid4(), uuid4(), uuid4(), "A", None, None, quantity, 5)


def _shipment(status: ShipmentStatus = ShipmentStatus.NEW) -> Shipment:
    return Shipment(
        uuid4(), "SHP-000001", uuid4(), uuid4(), uuid4(), status, 1, "t", NOW, NOW,
        (ShipmentItem(uuid4(), 5, 20),),
    )  # fmt: skip


def test_a_shipment_goes_forward_one_step_at_a_time() -> None:
    s = _shipment().advanced(ShipmentStatus.ALLOCATED, NOW)
    assert (s.status, s.version) == (ShipmentStatus.ALLOCATED, 2)
    with pytest.raises(ShipmentConflict):
        s.advanced(ShipmentStatus.SHIPPED, NOW)  # not picked
    with pytest.raises(ShipmentConflict):
        s.advanced(ShipmentStatus.NEW, NOW)  # never back


@pytest.mark.parametrize("status", [ShipmentStatus.NEW, ShipmentStatus.ALLOCATED,
                                    ShipmentStatus.PICKED])  # fmt: skip
def test_a_shipment_not_yet_shipped_may_be_cancelled(status: ShipmentStatus) -> None:
    assert _shipment(status).cancelled("truck broke", NOW).status == ShipmentStatus.CANCELLED


def test_a_shipped_shipment_cannot_be_cancelled() -> None:
    with pytest.raises(ShipmentConflict):
        _shipment(ShipmentStatus.SHIPPED).cancelled(None, NOW)


def test_a_receipt_accounting_for_every_unit_with_reasons_is_taken() -> None:
    a, b = _lot(20), _lot(10)
    lots = received([a, b], {a.line_id: Receipt(15, 5, RejectionReason.DAMAGED),
                             b.line_id: Receipt(10, 0)})  # fmt: skip
    assert [x.receipt.accepted for x in lots if x.receipt] == [15, 10]


@pytest.mark.parametrize(
    ("receipt", "says"),
    [
        (Receipt(15, 0), "must equal shipped 20"),
        (Receipt(15, 5), "a rejection needs a reason"),
        (Receipt(20, 0, RejectionReason.DAMAGED), "a reason without a rejection"),
        (Receipt(15, 5, RejectionReason.VVM_STATUS), "say the VVM stage"),
    ],
)
def test_a_receipt_that_does_not_add_up_is_refused_and_says_why(
    receipt: Receipt, says: str
) -> None:
    lot = _lot(20)
    with pytest.raises(InvalidReceipt, match=says):
        check_receipts([lot], {lot.line_id: receipt})


def test_every_line_must_be_accounted_for_and_no_other() -> None:
    a, b = _lot(), _lot()
    with pytest.raises(InvalidReceipt, match="not accounted for"):
        check_receipts([a, b], {a.line_id: Receipt(20, 0)})
    with pytest.raises(InvalidReceipt, match="not on this shipment"):
        check_receipts([a], {a.line_id: Receipt(20, 0), uuid4(): Receipt(1, 0)})
