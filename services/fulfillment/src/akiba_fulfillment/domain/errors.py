"""Domain errors; the API maps each family to one HTTP status."""

from __future__ import annotations


class FulfillmentError(Exception):
    """Base of every fulfillment domain error."""


class NotFound(FulfillmentError):
    """Something named by id does not exist."""


class SupplyLineNotFound(NotFound):
    """No supply line with this id."""


class Conflict(FulfillmentError):
    """The change collides with what exists now."""


class DuplicateSupplyLine(Conflict):
    """The node already has an active supply line for the program."""


class StaleVersion(Conflict):
    """The change was made against a version that is no longer current (If-Match)."""


class Invalid(FulfillmentError):
    """The change breaks a rule of the model."""


class InvalidSupplyLine(Invalid):
    """A supply line's fields break a rule."""


class InvalidAllocation(Invalid):
    """An allocation was asked with impossible terms (pack size, quantity, dates)."""
