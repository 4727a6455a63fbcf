"""Requisitions at the site: drafted from its own ledger, forwarded step by step."""
