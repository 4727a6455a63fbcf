"""The hub's routers."""
