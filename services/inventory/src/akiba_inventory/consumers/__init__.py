"""Inventory's consumers: edge ingestion, the stock-level projector, the alert evaluator."""
