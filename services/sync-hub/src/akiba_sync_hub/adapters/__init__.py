"""The hub's storage."""
