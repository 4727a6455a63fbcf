"""Settings every service shares, read from the environment once at start-up."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What a service process needs to reach its database, Kafka and its observers."""

    model_config = SettingsConfigDict(env_prefix="AKIBA_", extra="ignore")

    service_name: str = "akiba"
    instance_name: str = Field(
        "",
        max_length=63,
        description="This process among its service's replicas (e.g. the pod's name): names its"
        " PostgreSQL sessions (application_name) and Kafka clients (client.id); empty = the"
        " service's name",
    )
    database_url: str = "postgresql://postgres@127.0.0.1:54329/postgres"
    kafka_bootstrap_servers: str = "127.0.0.1:29092"
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"] = Field(
        "PLAINTEXT", description="PLAINTEXT is the local stack's (single user, loopback only)"
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = Field(None, description="The service's Kafka principal")
    kafka_sasl_password: SecretStr | None = None
    kafka_replication_factor: int = Field(
        1, ge=1, le=32, description="Replicas of each catalogue topic this process creates"
    )
    kafka_min_insync_replicas: int = Field(
        1,
        ge=1,
        le=32,
        description="min.insync.replicas of the topics it creates: with acks=all, a write is"
        " refused rather than kept on fewer replicas than this",
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8100
    forwarded_allow_ips: str = Field(
        "",
        description="Proxies whose X-Forwarded-For is believed (comma-separated addresses or"
        " networks, `*` for any); empty = none: the client address is the TCP peer",
    )
    metrics_port: int = Field(0, description="Prometheus port for processes without HTTP; 0 = off")
    log_level: str = "INFO"
    otel_exporter: Literal["none", "console", "otlp", "jsonl"] = "none"
    otel_endpoint: str | None = Field(
        None, description="OTLP/HTTP collector base URL (otlp exporter), e.g. http://otel:4318"
    )
    otel_file: str | None = Field(None, description="Where the jsonl exporter appends spans")
    db_pool_min: int = 2
    db_pool_max: int = 10
    # Rows per outbox read and Kafka round trip: each batch waits for acks=all and a synchronous
    # delete, so bigger batches spread that fixed wait (500 → 2,000: relay alone ~1.7x).
    relay_batch_size: int = 2000
    relay_idle_seconds: float = 0.05
    consumer_batch_size: int = 500
    consumer_group_prefix: str = Field(
        "",
        max_length=100,
        description="Put before every consumer group's name: deployments that share one Kafka"
        " cluster (or test runs side by side) must never share a group",
    )
    demo: bool = Field(
        False, description="AKIBA_DEMO=1: a throw-away demo; only then may demo data be loaded"
    )
    auth_issuer: str = Field("akiba-auth", description="`iss` of access tokens")
    auth_audience: str = Field("akiba", description="`aud` every Akiba service accepts")
    idempotency_retention_hours: float = Field(
        24, ge=24, description="How long an Idempotency-Key and its answer are kept (at least)"
    )
    idempotency_purge_every_seconds: float = Field(3600, gt=0, description="Expired keys' purge")
    idempotency_wait_seconds: float = Field(
        5, ge=0, description="How long a retry waits for its first request's answer, then 409"
    )

    @model_validator(mode="after")
    def _isr_within_replicas(self) -> ServiceSettings:
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError(
                f"AKIBA_KAFKA_MIN_INSYNC_REPLICAS={self.kafka_min_insync_replicas} is more than"
                f" AKIBA_KAFKA_REPLICATION_FACTOR={self.kafka_replication_factor}: no write"
                " could ever succeed"
            )
        return self
