"""`akiba-inventory migrate|serve|seed-demo|replay|edge`: the service's processes."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from akiba_inventory import bootstrap, demo
from akiba_inventory.api.app import create_app
from akiba_inventory.consumers.edge import cli as edge_cli
from akiba_inventory.replay import rebuild_ledger, rebuild_stock_on_hand
from akiba_inventory.settings import Settings
from akiba_platform import (
    Command,
    Role,
    central_service,
    migrate,
    relay_role,
    serve_app,
    service_main,
)

ROLES: Mapping[str, Callable[[Settings], Role]] = {
    "api": lambda s: serve_app(create_app(s), s),
    "relay": relay_role,
    "project": bootstrap.projector_role,
    "ingest": bootstrap.ingest_role,
    "alert": bootstrap.alert_role,
    "shipments": bootstrap.shipments_role,
}


async def _migrate(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)


async def _seed(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)
    await demo.seed(settings)


def _rebuild_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=("stock-on-hand", "ledger"))
    parser.add_argument("--topic", default="inventory.stock-movements")
    parser.add_argument(
        "--since",
        type=_utc,
        help="ledger: read from this ISO time on (after a restore: the backup's, less a margin)",
    )


def _utc(text: str) -> datetime:
    """An ISO time; one without a zone is UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _rebuild(settings: Settings, args: argparse.Namespace) -> None:
    await migrate(settings.database_url, {"inventory": bootstrap.MIGRATIONS})
    conn = await asyncpg.connect(settings.database_url)
    try:
        if args.what == "ledger":
            bootstrap_servers = settings.kafka_bootstrap_servers
            added = await rebuild_ledger(conn, bootstrap_servers, args.topic, since=args.since)
            print(f"{added} movements restored from {args.topic}")
        else:
            print(f"{await rebuild_stock_on_hand(conn)} stores rebuilt from the ledger")
    finally:
        await conn.close()


def _edge_arguments(edge: argparse.ArgumentParser) -> None:
    edge_sub = edge.add_subparsers(dest="edge_command", required=True)
    edge_sub.add_parser("stuck", help="stores holding site documents, longest waiting first")
    show = edge_sub.add_parser("show", help="one store: writer, next sequence, held, refused")
    show.add_argument("store_id", type=UUID)


async def _edge(settings: Settings, args: argparse.Namespace) -> None:
    await edge_cli.run(settings, args.edge_command, getattr(args, "store_id", None))


COMMANDS = {
    "migrate": Command[Settings]("apply database migrations and create topics", _migrate),
    "seed-demo": Command[Settings]("load demo stores and items", _seed),
    "replay": Command[Settings](
        "rebuild projections from the ledger or the topic", _rebuild, _rebuild_arguments
    ),
    "edge": Command[Settings](
        "site documents held by edge ingestion (operators)", _edge, _edge_arguments
    ),
}
ENTRY = central_service(
    "akiba-inventory", Settings, prepare=bootstrap.prepare, roles=ROLES, commands=COMMANDS
)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run it."""
    service_main(ENTRY, argv)


if __name__ == "__main__":
    main()
