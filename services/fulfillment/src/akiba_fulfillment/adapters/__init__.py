"""Fulfillment's ports (Protocols) and their asyncpg implementations."""
