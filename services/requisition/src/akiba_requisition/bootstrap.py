"""The one place that names concrete classes and builds the roles __main__ names."""

from __future__ import annotations

from pathlib import Path

from akiba_contracts.catalogue import all_topics
from akiba_platform import (
    Role,
    ServiceSpec,
    consumer_role,
    kafka,
    migrate,
)
from akiba_requisition.consumers import ledger, read_models, sites
from akiba_requisition.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SERVICE = ServiceSpec(
    name="requisition", module="akiba_requisition", http_port=8102, database="requisition"
)


async def prepare(settings: Settings) -> None:
    """Migrate the database and create the catalogue's topics (both idempotent)."""
    await migrate(settings.database_url, {"requisition": MIGRATIONS})
    await kafka.ensure_topics(
        settings.kafka_bootstrap_servers, all_topics(), kafka.Replication.of(settings)
    )


def read_model_role(settings: Settings) -> Role:
    """Keep stores, items, the supervision tree, supply lines and who writes each store (sites)
    as their owners publish them."""
    return consumer_role(settings, read_models.NAME, read_models.TOPICS, read_models.apply)


def ledger_role(settings: Settings) -> Role:
    """Sum each store's movements per item and day: the figures requisitions start from."""
    return consumer_role(settings, ledger.NAME, (ledger.TOPIC,), ledger.project)


def site_steps_role(settings: Settings) -> Role:
    """Apply the requisition steps sites recorded (or refuse them, back to the site)."""
    return consumer_role(settings, sites.NAME, (sites.TOPIC,), sites.apply)
