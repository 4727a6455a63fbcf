"""The HTTP status of each stock domain error, as both services answer it."""

from __future__ import annotations

from akiba_stock import errors
from akiba_stock.ledger import InsufficientStock
from akiba_stock.stocktake import StocktakeError, StocktakeFinalised, StocktakeNotFound

ERRORS: dict[type[Exception], int] = {
    errors.StoreNotFound: 404,
    errors.ItemNotFound: 422,
    errors.InvalidMovement: 422,
    errors.BatchConflict: 409,
    InsufficientStock: 409,
    errors.OutOfProgramScope: 403,
    StocktakeError: 422,
    StocktakeNotFound: 404,
    StocktakeFinalised: 409,
    errors.GoodsReceivedNotFound: 404,
}
