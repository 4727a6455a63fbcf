"""Inventory's HTTP API."""
