"""What the replenishment rules refuse."""

from __future__ import annotations


class RequisitionError(Exception):
    """A requisition cannot do what was asked (invalid input: 422)."""


class WrongStatus(RequisitionError):
    """The requisition's status does not allow this (409)."""


class StaleVersion(RequisitionError):
    """The writer saw an older version than the one stored (409)."""


class NotWaitingHere(RequisitionError):
    """The requisition does not wait for approval at this supervisory node (403)."""


class ExplanationRequired(RequisitionError):
    """A requested quantity differs from the calculated one and says not why (422)."""
