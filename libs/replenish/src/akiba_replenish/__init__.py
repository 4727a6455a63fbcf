"""Replenishment rules: how much a store should order, and how a requisition moves."""

from akiba_replenish.errors import (
    ExplanationRequired,
    NotWaitingHere,
    RequisitionError,
    StaleVersion,
    WrongStatus,
)
from akiba_replenish.lines import LedgerFigures, LineQuantities, LineRules, quantify
from akiba_replenish.periods import Period
from akiba_replenish.status import RequisitionStatus
from akiba_replenish.workflow import Approval, Change, Edit, Line, Requisition

__all__ = [
    "Approval",
    "Change",
    "Edit",
    "ExplanationRequired",
    "LedgerFigures",
    "Line",
    "LineQuantities",
    "LineRules",
    "NotWaitingHere",
    "Period",
    "Requisition",
    "RequisitionError",
    "RequisitionStatus",
    "StaleVersion",
    "WrongStatus",
    "quantify",
]
