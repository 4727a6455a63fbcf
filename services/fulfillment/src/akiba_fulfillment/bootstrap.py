"""The one place that names concrete classes and prepares the service (roles: __main__)."""

from __future__ import annotations

from pathlib import Path

from akiba_contracts.catalogue import all_topics
from akiba_fulfillment.consumers import orders, sites, stock
from akiba_fulfillment.settings import Settings
from akiba_platform import Role, ServiceSpec, consumer_role, kafka, migrate

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SERVICE = ServiceSpec(
    name="fulfillment", module="akiba_fulfillment", http_port=8103, database="fulfillment"
)


async def prepare(settings: Settings) -> None:
    """Migrate the database and create the catalogue's topics (both idempotent)."""
    await migrate(settings.database_url, {"fulfillment": MIGRATIONS})
    await kafka.ensure_topics(
        settings.kafka_bootstrap_servers, all_topics(), kafka.Replication.of(settings)
    )


def orders_role(settings: Settings) -> Role:
    """Open an order for each released requisition."""
    return consumer_role(settings, orders.NAME, (orders.TOPIC,), orders.apply)


def stock_role(settings: Settings) -> Role:
    """Keep inventory's stores, items, lots, locations and stock lines, and its answers."""
    return consumer_role(settings, stock.NAME, stock.TOPICS, stock.apply)


def sites_role(settings: Settings) -> Role:
    """Apply the proofs of delivery sites confirmed (or refuse them, back to the site)."""
    return consumer_role(settings, sites.NAME, (sites.TOPIC,), sites.apply)
