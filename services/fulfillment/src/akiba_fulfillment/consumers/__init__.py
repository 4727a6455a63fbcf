"""Fulfillment's consumers: orders from releases, and inventory's stock as read models."""
