"""The one place that names concrete classes and prepares the service (roles: __main__)."""

from __future__ import annotations

from pathlib import Path

from akiba_auth.handlers.keys import ensure_key
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.catalogue import all_topics
from akiba_platform import ServiceSpec, create_pool, kafka, migrate

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SERVICE = ServiceSpec(name="auth", module="akiba_auth", http_port=8104, database="auth")


async def prepare(settings: Settings) -> None:
    """Migrate, create the catalogue's topics and make sure a signing key exists (idempotent)."""
    await migrate(settings.database_url, {"auth": MIGRATIONS})
    await kafka.ensure_topics(
        settings.kafka_bootstrap_servers, all_topics(), kafka.Replication.of(settings)
    )
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        await ensure_key(AuthUnitOfWork(pool), settings.key_secret())
    finally:
        await pool.close()
