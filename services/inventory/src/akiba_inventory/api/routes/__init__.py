"""Inventory's routers."""
