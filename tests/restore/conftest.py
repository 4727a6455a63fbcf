"""The restore drill runs inventory as the e2e tests do: real processes on the real stack."""

from tests.e2e.conftest import Inventory, inventory

__all__ = ["Inventory", "inventory"]
