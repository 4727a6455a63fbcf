"""The proof-of-delivery rules central and sites share: every line accounted for, with reasons."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from akiba_contracts.payloads import RejectionReason
from akiba_replenish.receipts import Receipt, ReceiptError, check_receipts


@dataclass(frozen=True)
class Line:
    line_id: UUID
    lot_code: str | None
    quantity: int


A, B = Line(uuid4(), "A", 30), Line(uuid4(), "B", 20)


def test_a_proof_accounting_for_every_unit_with_reasons_passes() -> None:
    check_receipts([A, B], {A.line_id: Receipt(30, 0),
                            B.line_id: Receipt(15, 5, RejectionReason.DAMAGED)})  # fmt: skip


@pytest.mark.parametrize(
    ("b", "why"),
    [
        (Receipt(15, 4, RejectionReason.DAMAGED), "must equal shipped 20"),
        (Receipt(15, 5), "a rejection needs a reason"),
        (Receipt(20, 0, RejectionReason.EXPIRED), "a reason without a rejection"),
        (Receipt(10, 10, RejectionReason.VVM_STATUS), "say the VVM stage"),
    ],
)
def test_a_line_breaking_a_rule_is_named(b: Receipt, why: str) -> None:
    with pytest.raises(ReceiptError, match=why):
        check_receipts([A, B], {A.line_id: Receipt(30, 0), B.line_id: b})


def test_every_missing_and_unknown_line_is_named_at_once() -> None:
    stray = uuid4()

    with pytest.raises(ReceiptError) as refused:
        check_receipts([A, B], {A.line_id: Receipt(30, 0), stray: Receipt(1, 0)})

    assert f"line {stray} is not on this shipment" in str(refused.value)
    assert f"line {B.line_id} (B) is not accounted for" in str(refused.value)
