"""Akiba fulfillment: supply lines (so far); orders, shipments and proofs of delivery to come."""
