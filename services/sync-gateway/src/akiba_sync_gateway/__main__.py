"""`akiba-sync-gateway serve|migrate|status`: one site's gateway process."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
from datetime import UTC, datetime

from akiba_platform.logs import configure_logging
from akiba_platform.runtime import run_roles
from akiba_sync_gateway import bootstrap
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.sync import health


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run it."""
    parser = argparse.ArgumentParser(prog="akiba-sync-gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then run the given roles until stopped")
    serve.add_argument("--roles", default=",".join(bootstrap.ROLES))
    sub.add_parser("migrate", help="create or upgrade the site's SQLite database")
    sub.add_parser("status", help="print the sync status as JSON")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.service_name, settings.log_level)
    db = Database(settings.database_path)  # migrates on open
    try:
        if args.command == "status":
            print(json.dumps(asyncio.run(_status(db)), default=str, indent=2))
        elif args.command == "serve":
            with _runner() as runner:
                runner.run(_serve(settings, db, args.roles.split(",")))
    finally:
        db.close()


def _runner() -> asyncio.Runner:
    """uvloop where it is installed (not on Windows): a cheaper loop under the local API."""
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


async def _status(db: Database) -> dict[str, object]:
    return await db.read(lambda c: health.status(c, datetime.now(UTC)))


async def _serve(settings: Settings, db: Database, names: list[str]) -> None:
    roles = await bootstrap.roles(settings, db, names)
    # What start-up built (modules, schemas, the app) lives as long as the process: out of
    # the collector's sight, full collections stay short pauses in the acknowledgement path.
    gc.collect()
    gc.freeze()
    await run_roles(roles)


if __name__ == "__main__":
    main()
