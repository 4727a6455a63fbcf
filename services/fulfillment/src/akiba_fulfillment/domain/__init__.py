"""Fulfillment's domain: plain dataclasses and rules, no I/O."""
