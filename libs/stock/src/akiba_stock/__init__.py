"""The pure stock domain shared by inventory and the sync gateway: no I/O, no frameworks.

The names below are the library's public face; the submodules hold the rest (`reference`
for reference records and rules, `alerts`, `consumption`, `edge`, `appending`, `reasons`,
`onhand`).
"""

from akiba_stock.commands import (
    Count,
    CreateStocktake,
    EnterCounts,
    FinaliseStocktake,
    HoldStock,
    MovementLine,
    MoveStock,
    ReceiveStock,
    RecordMovements,
)
from akiba_stock.errors import (
    BatchConflict,
    InvalidMovement,
    InventoryError,
    ItemNotFound,
    OutOfProgramScope,
    StoreManagedBySite,
    StoreNotFound,
)
from akiba_stock.ledger import (
    InsufficientStock,
    LedgerEntry,
    LedgerKind,
    StockLine,
    StockOnHand,
    require_available,
)
from akiba_stock.model import Batch, StockMovement, line_of, removals
from akiba_stock.stocktake import (
    Stocktake,
    StocktakeError,
    StocktakeFinalised,
    StocktakeNotFound,
    StocktakeStatus,
)

__all__ = [
    "Batch",
    "BatchConflict",
    "Count",
    "CreateStocktake",
    "EnterCounts",
    "FinaliseStocktake",
    "HoldStock",
    "InsufficientStock",
    "InvalidMovement",
    "InventoryError",
    "ItemNotFound",
    "LedgerEntry",
    "LedgerKind",
    "MoveStock",
    "MovementLine",
    "OutOfProgramScope",
    "ReceiveStock",
    "RecordMovements",
    "StockLine",
    "StockMovement",
    "StockOnHand",
    "Stocktake",
    "StocktakeError",
    "StocktakeFinalised",
    "StocktakeNotFound",
    "StocktakeStatus",
    "StoreManagedBySite",
    "StoreNotFound",
    "line_of",
    "removals",
    "require_available",
]
