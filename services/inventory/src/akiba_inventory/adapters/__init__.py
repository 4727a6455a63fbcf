"""Inventory's adapters to PostgreSQL."""
