"""The stock HTTP API inventory and the sync gateway both serve, defined once over a desk."""

from akiba_stock_api.desk import MovementDesk, Rows, StocktakeDesk
from akiba_stock_api.problems import ERRORS
from akiba_stock_api.requests import WRITES, Write, response
from akiba_stock_api.routes import movement_routes, stocktake_routes

__all__ = [
    "ERRORS",
    "WRITES",
    "MovementDesk",
    "Rows",
    "StocktakeDesk",
    "Write",
    "movement_routes",
    "response",
    "stocktake_routes",
]
