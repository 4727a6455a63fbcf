"""Reference data inventory owns: pure records and the rules they keep."""

from akiba_stock.reference.records import (
    AdjustmentReason,
    BatchRecord,
    FacilityType,
    GeographicZone,
    Item,
    Location,
    R,
    Reference,
    Store,
    revised,
)
from akiba_stock.reference.rules import (
    DuplicateReference,
    InvalidReferenceData,
    ManagedBy,
    ReasonCategory,
    ReasonDirection,
    ReferenceNotFound,
    gtin_is_valid,
    reason_fits,
)

__all__ = [
    "AdjustmentReason",
    "BatchRecord",
    "DuplicateReference",
    "FacilityType",
    "GeographicZone",
    "InvalidReferenceData",
    "Item",
    "Location",
    "ManagedBy",
    "R",
    "ReasonCategory",
    "ReasonDirection",
    "Reference",
    "ReferenceNotFound",
    "Store",
    "gtin_is_valid",
    "reason_fits",
    "revised",
]
