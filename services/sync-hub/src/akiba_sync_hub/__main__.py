"""`akiba-sync-hub migrate|serve`: the service's processes."""

from __future__ import annotations

import argparse
import asyncio

from akiba_platform import kafka
from akiba_platform.logs import configure_logging
from akiba_platform.runtime import run_roles
from akiba_platform.telemetry import setup_telemetry
from akiba_sync_hub import bootstrap
from akiba_sync_hub.settings import Settings


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run it."""
    parser = argparse.ArgumentParser(prog="akiba-sync-hub")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then run the given roles until stopped")
    serve.add_argument("--roles", default=",".join(bootstrap.ROLES))
    sub.add_parser("migrate", help="apply database migrations and create topics")
    sub.add_parser("seed-demo", help="nothing to load: the feed fills itself from the topics")
    args = parser.parse_args(argv)
    settings = Settings()
    kafka.configure(settings)
    configure_logging(settings.service_name, settings.log_level)
    setup_telemetry(settings)
    if args.command in ("migrate", "seed-demo"):
        asyncio.run(bootstrap.prepare(settings))
    else:
        asyncio.run(_serve(settings, args.roles.split(",")))


async def _serve(settings: Settings, names: list[str]) -> None:
    await bootstrap.prepare(settings)
    await run_roles(
        bootstrap.roles(settings, names),
        metrics_port=settings.metrics_port,
        metrics_host=settings.http_host,
    )


if __name__ == "__main__":
    main()
