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


class OrderNotFound(NotFound):
    """No order with this id (or not one the caller may see)."""


class ShipmentNotFound(NotFound):
    """No shipment with this id (or not one the caller may see)."""


class OrderConflict(Conflict):
    """The order's state does not allow the change now."""


class ShipmentConflict(Conflict):
    """The shipment's state does not allow the change now."""


class InvalidOrder(Invalid):
    """An order's fields break a rule."""


class InvalidReceipt(Invalid):
    """A proof of delivery breaks a rule (accepted + rejected = shipped, reasons)."""


class Forbidden(FulfillmentError):
    """The caller lacks the right at the facility the document belongs to."""
