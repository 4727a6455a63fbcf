"""What can go wrong in inventory, in the domain's words."""

from __future__ import annotations

from dataclasses import dataclass


class InventoryError(Exception):
    """Base of inventory's domain errors."""


class StoreNotFound(InventoryError):
    """No such store, or it is inactive."""


class ItemNotFound(InventoryError):
    """No such item, or it is inactive."""


class InvalidMovement(InventoryError):
    """The movement breaks a ledger rule."""


class BatchConflict(InventoryError):
    """The lot is known with different facts (e.g. another expiry date)."""


class StoreManagedBySite(InventoryError):
    """The store's ledger is written at its site; central commands may not write it."""


class OutOfProgramScope(InventoryError):
    """The user's right at the store is for programs the item does not belong to."""


class GoodsReceivedNotFound(InventoryError):
    """No goods-received document with that id in the store."""


class InvalidLines(InvalidMovement):
    """Some lines of a document break a rule; each is named with its index and why."""

    def __init__(self, problems: list[LineProblem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"line {first.index}: {first.reason}{more}")


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line: its index, the field at fault, why, and a kind for machines."""

    index: int
    field: str
    reason: str
    kind: str
