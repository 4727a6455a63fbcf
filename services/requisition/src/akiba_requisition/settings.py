"""Requisition's settings."""

from __future__ import annotations

from pydantic import Field

from akiba_platform import ServiceSettings


class Settings(ServiceSettings):
    """Requisition's defaults on top of the platform's."""

    service_name: str = "requisition"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/akiba_requisition"
    http_port: int = 8102
    amc_months: int = Field(
        3, ge=1, le=24, description="Months of consumption an internal order's AMC averages"
    )
