"""Replenishment rules: how much a store should order, and how a requisition moves."""

from akiba_replenish.lines import LedgerFigures, LineQuantities, Settings, quantify
from akiba_replenish.status import RequisitionStatus

__all__ = ["LedgerFigures", "LineQuantities", "RequisitionStatus", "Settings", "quantify"]
