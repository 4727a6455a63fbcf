"""What can go wrong in inventory, in the domain's words."""


class InventoryError(Exception):
    """Base of inventory's domain errors."""


class StoreNotFound(InventoryError):
    """No such store, or it is inactive."""


class ItemNotFound(InventoryError):
    """No such item, or it is inactive."""


class InvalidMovement(InventoryError):
    """The movement breaks a ledger rule."""


class BatchConflict(InventoryError):
    """The lot is known with different facts (e.g. another expiry date)."""


class StoreManagedBySite(InventoryError):
    """The store's ledger is written at its site; central commands may not write it."""


class OutOfProgramScope(InventoryError):
    """The user's right at the store is for programs the item does not belong to."""
