"""The hub's HTTP API: push and feed for site tokens."""
