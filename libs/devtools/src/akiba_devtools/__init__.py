"""Akiba's developer tooling: the local stack, `akiba run`, the `akiba` command, test support."""
