"""The stock HTTP API inventory and the sync gateway both serve, defined once over a desk."""

from akiba_stock_api.desk import GoodsDesk, MovementDesk, Rows, StocktakeDesk
from akiba_stock_api.fastlane import FastLane
from akiba_stock_api.filters import StockOnHandQuery
from akiba_stock_api.goods import goods_routes
from akiba_stock_api.problems import ERRORS
from akiba_stock_api.requests import WRITES, Write, response
from akiba_stock_api.routes import movement_routes, stocktake_routes

__all__ = [
    "ERRORS",
    "WRITES",
    "FastLane",
    "GoodsDesk",
    "MovementDesk",
    "Rows",
    "StockOnHandQuery",
    "StocktakeDesk",
    "Write",
    "goods_routes",
    "movement_routes",
    "response",
    "stocktake_routes",
]
