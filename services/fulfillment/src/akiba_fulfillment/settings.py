"""Fulfillment's settings."""

from __future__ import annotations

from akiba_platform import ServiceSettings


class Settings(ServiceSettings):
    """Fulfillment's defaults on top of the platform's."""

    service_name: str = "fulfillment"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/akiba_fulfillment"
    http_port: int = 8103
    # FEFO allocation's defaults (a request may name its own): days on the road, the shelf life
    # a lot must still have on arrival, and how soon an expiry is flagged on the pick list.
    lead_time_days: int = 0
    min_shelf_life_days: int = 0
    expiry_warning_days: int = 90
