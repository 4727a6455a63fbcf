"""Auth's settings."""

from __future__ import annotations

from akiba_platform.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    """Auth's defaults on top of the platform's."""

    service_name: str = "auth"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/akiba_auth"
    http_port: int = 8104
    access_token_seconds: int = Field(300, description="Lifetime of an access token")
    refresh_token_days: int = Field(30, description="Lifetime of a refresh token family")
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 1
    login_failures_per_user: int = Field(5, description="Failures per user per window")
    login_failures_per_address: int = Field(20, description="Failures per address per window")
    login_window_seconds: int = 900
    admin_username: str | None = Field(None, description="First administrator, created at install")
    admin_password: str | None = Field(None, description="Read once by create-admin; never logged")
