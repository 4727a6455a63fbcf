"""Auth's settings."""

from __future__ import annotations

from pydantic import Field, SecretStr

from akiba_platform import ServiceSettings


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
    client_failures_per_address: int = Field(
        20, description="Failed client_credentials sign-ins (sites, service clients) per address"
    )
    login_window_seconds: int = 900
    admin_username: str | None = Field(None, description="First administrator, created at install")
    admin_password: SecretStr | None = Field(
        None, description="Read once by create-admin; never logged"
    )
    key_encryption_secret: SecretStr | None = Field(
        None, description="Encrypts signing keys at rest (AES-256-GCM); unset = stored in clear"
    )
    key_retire_margin_seconds: int = Field(
        120, description="Added to the token lifetime before a rotated-out key stops verifying"
    )

    def key_secret(self) -> str | None:
        """The key-encryption secret in clear, if one is configured."""
        s = self.key_encryption_secret
        return s.get_secret_value() if s is not None else None

    def key_keep_seconds(self) -> int:
        """How long a rotated-out key keeps verifying: every token it signed has expired by then."""
        return self.access_token_seconds + self.key_retire_margin_seconds
