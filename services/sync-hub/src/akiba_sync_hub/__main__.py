"""`akiba-sync-hub migrate|serve|seed-demo`: the service's processes."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence

from akiba_platform import Command, Role, central_service, serve_app, service_main
from akiba_sync_hub import bootstrap
from akiba_sync_hub.api.app import create_app
from akiba_sync_hub.settings import Settings

ROLES: Mapping[str, Callable[[Settings], Role]] = {
    "api": lambda s: serve_app(create_app(s), s),
    "feed": bootstrap.feed_role,
}


async def _prepare(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)


COMMANDS = {
    "migrate": Command[Settings]("apply database migrations and create topics", _prepare),
    "seed-demo": Command[Settings](
        "nothing to load: the feed fills itself from the topics", _prepare
    ),
}
ENTRY = central_service(
    "akiba-sync-hub", Settings, prepare=bootstrap.prepare, roles=ROLES, commands=COMMANDS
)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run it."""
    service_main(ENTRY, argv)


if __name__ == "__main__":
    main()
