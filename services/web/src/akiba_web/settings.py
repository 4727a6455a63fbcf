"""The central web process's settings: where each service answers."""

from __future__ import annotations

from pydantic import Field

from akiba_platform import ServiceSettings


class Settings(ServiceSettings):
    """The web process needs no database: only the services' URLs and Kafka for names."""

    service_name: str = "web"
    http_port: int = 8100
    inventory_url: str = "http://127.0.0.1:8101"
    requisition_url: str = "http://127.0.0.1:8102"
    fulfillment_url: str = "http://127.0.0.1:8103"
    auth_url: str = "http://127.0.0.1:8104"
    sync_hub_url: str = "http://127.0.0.1:8105"
    place_name: str = Field("", description="Shown in the page header (default: Central)")
    secure_cookies: bool = Field(
        False, description="Mark cookies Secure even when TLS ends before this process"
    )
    backend_timeout_seconds: float = Field(10.0, gt=0, description="Per call to a service")
