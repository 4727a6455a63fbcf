"""Reference-data rules: errors, enums, field checks, GTINs, reasons that fit movements."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from akiba_stock.errors import InventoryError


class ReferenceNotFound(InventoryError):
    """No such reference record."""


class DuplicateReference(InventoryError):
    """A code or name that must be unique is taken."""


class InvalidReferenceData(InventoryError):
    """The record breaks a reference-data rule."""


class ManagedBy(StrEnum):
    """Who writes a store's ledger: central services, or the site (sync gateway) hosting it."""

    CENTRAL = "central"
    SITE = "site"


class ReasonDirection(StrEnum):
    """Whether a reason adds stock (credit) or removes it (debit)."""

    CREDIT = "credit"
    DEBIT = "debit"


class ReasonCategory(StrEnum):
    """OpenLMIS stock adjustment reason categories."""

    TRANSFER = "transfer"
    ADJUSTMENT = "adjustment"
    PHYSICAL_INVENTORY = "physical_inventory"
    AGGREGATION = "aggregation"


def require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidReferenceData(message)


def text(value: Any, what: str) -> None:
    require(
        isinstance(value, str) and value != "" and value == value.strip(),
        f"{what} must be non-empty text without surrounding spaces",
    )


def enum(kind: type[StrEnum], value: Any, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        raise InvalidReferenceData(f"{what} must be one of {allowed}, not {value!r}") from None


def gtin_is_valid(gtin: str) -> bool:
    """Whether a GTIN-8/12/13/14 has a valid length and GS1 mod-10 check digit."""
    if not re.fullmatch(r"[0-9]{8}|[0-9]{12,14}", gtin):
        return False
    *body, check = (int(d) for d in gtin)
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


# Which reasons a ledger movement may carry: its category and its direction (the sign).
# Stocktake variances are posted as adjustments, so physical-inventory reasons fit those too;
# aggregation reasons (e.g. "consumed" in a requisition) only label reports.
FITS: dict[str, tuple[frozenset[ReasonCategory], ReasonDirection]] = {
    **{
        kind: (frozenset({ReasonCategory.TRANSFER}), ReasonDirection.CREDIT)
        for kind in ("receipt", "transfer_in", "shipment_in")
    },
    **{
        kind: (frozenset({ReasonCategory.TRANSFER}), ReasonDirection.DEBIT)
        for kind in ("issue", "transfer_out", "shipment_out")
    },
    "adjustment_positive": (
        frozenset({ReasonCategory.ADJUSTMENT, ReasonCategory.PHYSICAL_INVENTORY}),
        ReasonDirection.CREDIT,
    ),
    "adjustment_negative": (
        frozenset({ReasonCategory.ADJUSTMENT, ReasonCategory.PHYSICAL_INVENTORY}),
        ReasonDirection.DEBIT,
    ),
}


def reason_fits(category: ReasonCategory, direction: ReasonDirection, movement_type: str) -> bool:
    """Whether a reason of this category and direction may label a movement of this type."""
    fit = FITS.get(movement_type)
    return fit is not None and category in fit[0] and direction is fit[1]
