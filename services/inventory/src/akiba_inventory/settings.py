"""Inventory's settings."""

from __future__ import annotations

from akiba_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    """Inventory's defaults on top of the platform's."""

    service_name: str = "inventory"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/akiba_inventory"
    http_port: int = 8101
