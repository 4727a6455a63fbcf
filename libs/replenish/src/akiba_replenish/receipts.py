"""Proof of delivery: how a receiver accounts for every line of a shipment, wherever it is
confirmed (centrally by fulfillment, offline at a site's gateway)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from akiba_contracts.payloads import RejectionReason

__all__ = ["Receipt", "ReceiptError", "ShippedLine", "check_receipts"]


class ReceiptError(Exception):
    """A proof of delivery breaks a rule (invalid input: 422); the message names every line."""


@dataclass(frozen=True)
class Receipt:
    """How the receiver found one shipment line."""

    accepted: int
    rejected: int
    reason: RejectionReason | None = None
    vvm_stage: int | None = None
    note: str | None = None
    location_id: UUID | None = None


class ShippedLine(Protocol):
    """What the rules read of a shipment line."""

    @property
    def line_id(self) -> UUID: ...

    @property
    def lot_code(self) -> str | None: ...

    @property
    def quantity(self) -> int: ...


def check_receipts(lots: Sequence[ShippedLine], receipts: Mapping[UUID, Receipt]) -> None:
    """Every line is accounted for: accepted + rejected = shipped, a reason for each rejection."""
    problems: list[str] = []
    unknown = set(receipts) - {lot.line_id for lot in lots}
    if unknown:
        problems.append(f"line {sorted(unknown)[0]} is not on this shipment")
    for lot in lots:
        r = receipts.get(lot.line_id)
        if r is None:
            problems.append(f"line {lot.line_id} ({lot.lot_code}) is not accounted for")
            continue
        problems += _problems(lot, r)
    if problems:
        raise ReceiptError("; ".join(problems))


def _problems(lot: ShippedLine, r: Receipt) -> list[str]:
    name = f"line {lot.line_id} ({lot.lot_code})"
    out = []
    if r.accepted < 0 or r.rejected < 0 or r.accepted + r.rejected != lot.quantity:
        out.append(
            f"{name}: accepted {r.accepted} + rejected {r.rejected} must equal shipped"
            f" {lot.quantity}"
        )
    if r.rejected and r.reason is None:
        out.append(f"{name}: a rejection needs a reason")
    if not r.rejected and r.reason is not None:
        out.append(f"{name}: a reason without a rejection")
    if r.reason == RejectionReason.VVM_STATUS and r.vvm_stage is None:
        out.append(f"{name}: say the VVM stage")
    return out
