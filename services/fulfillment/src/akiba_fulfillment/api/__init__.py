"""Fulfillment's HTTP API."""
