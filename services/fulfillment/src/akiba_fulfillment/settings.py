"""Fulfillment's settings."""

from __future__ import annotations

from akiba_platform import ServiceSettings


class Settings(ServiceSettings):
    """Fulfillment's defaults on top of the platform's."""

    service_name: str = "fulfillment"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/akiba_fulfillment"
    http_port: int = 8103
