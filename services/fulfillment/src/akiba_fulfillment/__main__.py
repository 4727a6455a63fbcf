"""`akiba-fulfillment migrate|serve|seed-demo`: the service's processes."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence

from akiba_fulfillment import bootstrap, demo
from akiba_fulfillment.api.app import create_app
from akiba_fulfillment.settings import Settings
from akiba_platform import Command, Role, central_service, relay_role, serve_app, service_main

ROLES: Mapping[str, Callable[[Settings], Role]] = {
    "api": lambda s: serve_app(create_app(s), s),
    "relay": relay_role,  # supply lines, orders, shipments, refused site proofs
    "orders": bootstrap.orders_role,
    "stock": bootstrap.stock_role,
    "sites": bootstrap.sites_role,
}


async def _migrate(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)


async def _seed(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)
    await demo.seed(settings)


COMMANDS = {
    "migrate": Command[Settings]("apply database migrations and create topics", _migrate),
    "seed-demo": Command[Settings]("load demo supply lines", _seed),
}
ENTRY = central_service(
    "akiba-fulfillment", Settings, prepare=bootstrap.prepare, roles=ROLES, commands=COMMANDS
)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run it."""
    service_main(ENTRY, argv)


if __name__ == "__main__":
    main()
