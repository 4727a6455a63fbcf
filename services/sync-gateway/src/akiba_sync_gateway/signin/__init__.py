"""Offline sign-in: the local authority, the failure limits, and the flow that joins them."""
