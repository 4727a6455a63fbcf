"""Goods received: a supplier's delivery checked line by line, then posted as receipts.

A national warehouse receives deliveries of a thousand lines; a clerk fixing one wants every
bad line named at once, so the checks collect problems instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from akiba_stock import model
from akiba_stock.commands import GoodsLine, ReceiveGoods, ReceiveStock
from akiba_stock.errors import InvalidLines, InvalidMovement, LineProblem
from akiba_stock.model import CLOCK_SKEW, Batch, StockMovement

Lot = tuple[UUID, str]  # (item id, lot code): what names a batch before it has an id


@dataclass(frozen=True)
class Known:
    """What the store's records say of the lines: active items and locations, lots seen."""

    items: Collection[UUID]
    locations: Collection[UUID]
    lots: Mapping[Lot, Batch]


def lot_of(line: GoodsLine) -> Lot:
    """The lot a line receives."""
    return line.item_id, line.lot_code


def reference(cmd: ReceiveGoods) -> str:
    """The reference its movements carry on the stock card, e.g. `purchase_order:PO-17`."""
    return f"{cmd.reference_kind}:{cmd.reference_number}"


def check(cmd: ReceiveGoods, known: Known, now: datetime) -> None:
    """Refuse the document if it arrives from the future or any line is bad (all named)."""
    if cmd.received_at is not None and cmd.received_at > now + CLOCK_SKEW:
        raise InvalidMovement("goods cannot be received in the future")
    problems = list(_problems(cmd.lines, known))
    if problems:
        raise InvalidLines(problems)


def _problems(lines: tuple[GoodsLine, ...], known: Known) -> Iterator[LineProblem]:
    # A lot has one expiry: its record's, or else the first line's that names the lot.
    expiries: dict[Lot, date | None] = {lot: b.expiry_date for lot, b in known.lots.items()}
    for i, ln in enumerate(lines):
        if ln.item_id not in known.items:
            yield LineProblem(
                i, "item_id", f"item {ln.item_id} does not exist or is inactive", "unknown_item"
            )
        if ln.location_id is not None and ln.location_id not in known.locations:
            reason = f"location {ln.location_id} is not an active location of the store"
            yield LineProblem(i, "location_id", reason, "unknown_location")
        if ln.quantity <= 0:
            yield LineProblem(i, "quantity", "a receipt adds stock: quantity must be positive",
                              "invalid_quantity")  # fmt: skip
        expected = expiries.setdefault(lot_of(ln), ln.expiry_date)
        if ln.expiry_date is not None and ln.expiry_date != expected:
            reason = f"lot {ln.lot_code} has expiry {expected}, not {ln.expiry_date}"
            yield LineProblem(i, "expiry_date", reason, "expiry_conflict")


def new_lots(
    cmd: ReceiveGoods, known: Mapping[Lot, Batch], new_id: Callable[[UUID, str], UUID]
) -> list[Batch]:
    """The lots first seen in this document, each with the expiry of its first line."""
    found: dict[Lot, Batch] = {}
    for ln in cmd.lines:
        lot = lot_of(ln)
        if lot not in known and lot not in found:
            found[lot] = Batch(new_id(*lot), ln.item_id, ln.lot_code, ln.expiry_date)
    return list(found.values())


def receive(
    cmd: ReceiveGoods, lots: Mapping[Lot, Batch], sequence: int, now: datetime
) -> list[StockMovement]:
    """One receipt per line, numbered from `sequence`, with the document's reference and
    the supplier as their source."""
    ref = reference(cmd)
    return [
        model.receive(_receipt(cmd, ln, ref), lots[lot_of(ln)], sequence + i, now)
        for i, ln in enumerate(cmd.lines)
    ]


def _receipt(cmd: ReceiveGoods, ln: GoodsLine, ref: str) -> ReceiveStock:
    return ReceiveStock(
        store_id=cmd.store_id, item_id=ln.item_id, lot_code=ln.lot_code,
        expiry_date=ln.expiry_date, quantity=ln.quantity, occurred_at=cmd.received_at,
        actor=cmd.actor, location_id=ln.location_id, source=cmd.supplier, reference=ref,
    )  # fmt: skip
