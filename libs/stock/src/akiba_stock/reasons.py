"""Which adjustment reasons a document or a stocktake may name: one rule for every writer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from akiba_stock.commands import RecordMovements
from akiba_stock.errors import InvalidMovement
from akiba_stock.ledger import LedgerKind
from akiba_stock.reference import AdjustmentReason
from akiba_stock.stocktake import StocktakeError

Found = Mapping[UUID, AdjustmentReason | None]
# A stocktake variance is an adjustment: the reasons that fit one fit it, in the same direction.
_ADJUSTMENTS = (LedgerKind.ADJUSTMENT_POSITIVE.value, LedgerKind.ADJUSTMENT_NEGATIVE.value)


def named(ids: Iterable[UUID | None]) -> list[UUID]:
    """The distinct reasons named, in a stable order (None is no reason)."""
    return sorted({i for i in ids if i is not None})


def check_document(cmd: RecordMovements, found: Found, facility_type_id: UUID | None) -> None:
    """Each reason of the document exists, fits the movement and is valid for the program here."""
    for reason_id, reason in found.items():
        if reason is None or not reason.active:
            raise InvalidMovement(f"adjustment reason {reason_id} does not exist or is inactive")
        if not reason.fits(cmd.kind.value):
            raise InvalidMovement(f"reason {reason.name!r} does not fit a {cmd.kind.value}")
        if cmd.program_id and not reason.valid_for(cmd.program_id, facility_type_id):
            raise InvalidMovement(f"reason {reason.name!r} is not valid for that program here")


def known(reason_id: UUID, reason: AdjustmentReason | None) -> AdjustmentReason:
    """A reason a stocktake names: it exists and is active."""
    if reason is None or not reason.active:
        raise StocktakeError(f"adjustment reason {reason_id} does not exist or is inactive")
    return reason


def for_variance(
    reason_id: UUID,
    reason: AdjustmentReason | None,
    program_id: UUID | None,
    facility_type_id: UUID | None,
) -> AdjustmentReason:
    """A reason that explains a stocktake variance: known, an adjustment's, valid here."""
    reason = known(reason_id, reason)
    if not any(reason.fits(kind) for kind in _ADJUSTMENTS):
        raise StocktakeError(f"reason {reason.name!r} cannot explain a stocktake variance")
    if program_id and not reason.valid_for(program_id, facility_type_id):
        raise StocktakeError(f"reason {reason.name!r} is not valid for that program here")
    return reason
