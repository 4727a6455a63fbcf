"""`akiba-auth migrate|serve|seed-demo|create-admin|assign-role|rotate-key`: the processes."""

from __future__ import annotations

import argparse
import asyncio
from uuid import UUID

from akiba_auth import admin, bootstrap, demo
from akiba_auth.domain.errors import AuthError
from akiba_auth.domain.model import Scope
from akiba_auth.handlers.keys import rotate_key
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_platform import kafka
from akiba_platform.db import open_pool
from akiba_platform.logs import configure_logging
from akiba_platform.runtime import run_roles
from akiba_platform.telemetry import setup_telemetry


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="akiba-auth")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then run the given roles until stopped")
    serve.add_argument("--roles", default=",".join(bootstrap.ROLES))
    sub.add_parser("migrate", help="apply migrations, create topics, make a signing key")
    sub.add_parser("seed-demo", help="load demo roles, tree, users and a site")
    sub.add_parser("create-admin", help="the first administrator (AKIBA_ADMIN_USERNAME/PASSWORD)")
    assign = sub.add_parser(
        "assign-role", help="give a user a role in a scope, as the operator (the trusted root)"
    )
    assign.add_argument("username")
    assign.add_argument("role", help="the role's name")
    assign.add_argument("--program", type=UUID, help="supervision: the program")
    assign.add_argument("--node", type=UUID, help="supervision: the supervisory node's id")
    assign.add_argument("--warehouse", type=UUID, help="fulfillment: the warehouse")
    sub.add_parser("rotate-key", help="sign with a new key; older ones verify until retired")
    return parser


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run it."""
    args = _parser().parse_args(argv)
    settings = Settings()
    kafka.configure(settings)
    configure_logging(settings.service_name, settings.log_level)
    setup_telemetry(settings)
    commands = {
        "migrate": lambda: bootstrap.prepare(settings),
        "seed-demo": lambda: _seed(settings),
        "create-admin": lambda: _create_admin(settings),
        "assign-role": lambda: _assign(settings, args),
        "rotate-key": lambda: _rotate(settings),
        "serve": lambda: _serve(settings, args.roles.split(",")),
    }
    asyncio.run(commands[args.command]())


async def _seed(settings: Settings) -> None:
    await bootstrap.prepare(settings)
    await demo.seed(settings)


async def _create_admin(settings: Settings) -> None:
    username, password = admin.credentials(settings)
    await bootstrap.prepare(settings)
    created = await admin.create_admin(settings, username, password)
    print(f"administrator {username!r} {'created' if created else 'already exists; roles checked'}")


async def _assign(settings: Settings, args: argparse.Namespace) -> None:
    scope = Scope(args.program, args.node, args.warehouse)
    try:
        a = await admin.assign_as_operator(settings, args.username, args.role, scope)
    except AuthError as e:
        raise SystemExit(str(e)) from None
    print(f"{args.username!r} holds {a.role.name!r} (assignment {a.assignment_id})")


async def _rotate(settings: Settings) -> None:
    await bootstrap.prepare(settings)
    async with open_pool(settings) as pool:
        key = await rotate_key(
            AuthUnitOfWork(pool), settings.key_secret(), settings.key_keep_seconds()
        )
    print(f"signing with key {key.kid}; older keys verify for {settings.key_keep_seconds()} s more")


async def _serve(settings: Settings, names: list[str]) -> None:
    await bootstrap.prepare(settings)
    await run_roles(
        bootstrap.roles(settings, names),
        metrics_port=settings.metrics_port,
        metrics_host=settings.http_host,
    )


if __name__ == "__main__":
    main()
