"""`akiba-inventory migrate|serve|seed-demo`: the service's processes."""

from __future__ import annotations

import argparse
import asyncio
from uuid import UUID

import asyncpg

from akiba_inventory import bootstrap, demo, replay
from akiba_inventory.consumers.edge import cli as edge_cli
from akiba_inventory.settings import Settings
from akiba_platform import kafka
from akiba_platform.logs import configure_logging
from akiba_platform.migrations import migrate
from akiba_platform.runtime import run_roles
from akiba_platform.telemetry import setup_telemetry


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run it."""
    parser = argparse.ArgumentParser(prog="akiba-inventory")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then run the given roles until stopped")
    serve.add_argument("--roles", default=",".join(bootstrap.ROLES))
    sub.add_parser("migrate", help="apply database migrations and create topics")
    sub.add_parser("seed-demo", help="load demo stores and items")
    replay = sub.add_parser("replay", help="rebuild projections from the ledger or the topic")
    replay.add_argument("what", choices=("stock-on-hand", "ledger"))
    replay.add_argument("--topic", default="inventory.stock-movements")
    edge = sub.add_parser("edge", help="site documents held by edge ingestion (operators)")
    edge_sub = edge.add_subparsers(dest="edge_command", required=True)
    edge_sub.add_parser("stuck", help="stores holding site documents, longest waiting first")
    show = edge_sub.add_parser("show", help="one store: writer, next sequence, held, refused")
    show.add_argument("store_id", type=UUID)
    args = parser.parse_args(argv)
    settings = Settings()
    kafka.configure(settings)
    configure_logging(settings.service_name, settings.log_level)
    setup_telemetry(settings)
    if args.command == "migrate":
        asyncio.run(bootstrap.prepare(settings))
    elif args.command == "replay":
        asyncio.run(_replay(settings, args.what, args.topic))
    elif args.command == "seed-demo":
        asyncio.run(_seed(settings))
    elif args.command == "edge":
        asyncio.run(edge_cli.run(settings, args.edge_command, getattr(args, "store_id", None)))
    else:
        asyncio.run(_serve(settings, args.roles.split(",")))


async def _replay(settings: Settings, what: str, topic: str) -> None:
    await migrate(settings.database_url, {"inventory": bootstrap.MIGRATIONS})
    conn = await asyncpg.connect(settings.database_url)
    try:
        if what == "ledger":
            added = await replay.rebuild_ledger(conn, settings.kafka_bootstrap_servers, topic)
            print(f"{added} movements restored from {topic}")
        else:
            print(f"{await replay.rebuild_stock_on_hand(conn)} stores rebuilt from the ledger")
    finally:
        await conn.close()


async def _seed(settings: Settings) -> None:
    await bootstrap.prepare(settings)
    await demo.seed(settings)


async def _serve(settings: Settings, names: list[str]) -> None:
    await bootstrap.prepare(settings)
    await run_roles(
        bootstrap.roles(settings, names),
        metrics_port=settings.metrics_port,
        metrics_host=settings.http_host,
    )


if __name__ == "__main__":
    main()
