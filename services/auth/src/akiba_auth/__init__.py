"""Akiba auth."""
