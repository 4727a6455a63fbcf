"""The demo data set: `seed` writes it through the reference handlers and the ledger."""

from akiba_inventory.demo.seed import seed

__all__ = ["seed"]
