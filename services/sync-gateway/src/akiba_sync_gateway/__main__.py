"""`akiba-sync-gateway serve|migrate|status`: one site's gateway process."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from akiba_platform import Command, Service, configure_logging, run_roles, service_main
from akiba_sync_gateway import bootstrap
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.sync import health


def _start(settings: Settings) -> None:
    configure_logging(settings.service_name, settings.log_level)


async def _migrate(settings: Settings, _: argparse.Namespace) -> None:
    Database(settings.database_path).close()  # migrates on open


async def _status(settings: Settings, _: argparse.Namespace) -> None:
    db = Database(settings.database_path)
    try:
        status = await db.read(lambda c: health.status(c, datetime.now(UTC)))
    finally:
        db.close()
    print(json.dumps(status, default=str, indent=2))


async def _serve(settings: Settings, names: list[str]) -> None:
    db = Database(settings.database_path)
    try:
        # run_roles keeps what start-up built out of the collector's sight (gc.freeze).
        await run_roles(await bootstrap.roles(settings, db, names))
    finally:
        db.close()


ENTRY = Service(
    "akiba-sync-gateway",
    Settings,
    _start,
    bootstrap.ROLES,
    _serve,
    {
        "migrate": Command[Settings]("create or upgrade the site's SQLite database", _migrate),
        "status": Command[Settings]("print the sync status as JSON", _status),
    },
)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run it."""
    service_main(ENTRY, argv)


if __name__ == "__main__":
    main()
