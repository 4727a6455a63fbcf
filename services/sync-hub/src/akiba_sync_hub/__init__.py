"""Akiba's sync hub: the central side of the sites' sync gateways (see docs/sync.md)."""
