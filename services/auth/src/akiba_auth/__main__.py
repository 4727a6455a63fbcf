"""`akiba-auth migrate|serve|seed-demo|create-admin|assign-role|rotate-key|republish-tree`."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from uuid import UUID

from akiba_auth import admin, bootstrap, demo
from akiba_auth.api.app import create_app
from akiba_auth.domain.errors import AuthError
from akiba_auth.domain.model import Scope
from akiba_auth.handlers.keys import rotate_key
from akiba_auth.handlers.tree import republish_tree
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_platform import (
    Command,
    Role,
    central_service,
    open_pool,
    relay_role,
    serve_app,
    service_main,
)

ROLES: Mapping[str, Callable[[Settings], Role]] = {
    "api": lambda s: serve_app(create_app(s), s),
    "relay": relay_role,  # permissions, sites, signing keys and the supervision tree
}


async def _migrate(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)


async def _seed(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)
    await demo.seed(settings)


async def _create_admin(settings: Settings, _: argparse.Namespace) -> None:
    username, password = admin.credentials(settings)
    await bootstrap.prepare(settings)
    created = await admin.create_admin(settings, username, password)
    print(f"administrator {username!r} {'created' if created else 'already exists; roles checked'}")


def _assign_arguments(assign: argparse.ArgumentParser) -> None:
    assign.add_argument("username")
    assign.add_argument("role", help="the role's name")
    assign.add_argument("--program", type=UUID, help="supervision: the program")
    assign.add_argument("--node", type=UUID, help="supervision: the supervisory node's id")
    assign.add_argument("--warehouse", type=UUID, help="fulfillment: the warehouse")


async def _assign(settings: Settings, args: argparse.Namespace) -> None:
    scope = Scope(args.program, args.node, args.warehouse)
    try:
        a = await admin.assign_as_operator(settings, args.username, args.role, scope)
    except AuthError as e:
        raise SystemExit(str(e)) from None
    print(f"{args.username!r} holds {a.role.name!r} (assignment {a.assignment_id})")


async def _rotate(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)
    async with open_pool(settings) as pool:
        key = await rotate_key(
            AuthUnitOfWork(pool), settings.key_secret(), settings.key_keep_seconds()
        )
    print(f"signing with key {key.kid}; older keys verify for {settings.key_keep_seconds()} s more")


async def _republish_tree(settings: Settings, _: argparse.Namespace) -> None:
    await bootstrap.prepare(settings)
    async with open_pool(settings) as pool:
        nodes, groups = await republish_tree(AuthUnitOfWork(pool))
    print(
        f"queued for auth.supervision: {nodes} supervisory node(s), {groups} requisition group(s)"
    )


COMMANDS = {
    "migrate": Command[Settings]("apply migrations, create topics, make a signing key", _migrate),
    "seed-demo": Command[Settings]("load demo roles, tree, users and a site", _seed),
    "create-admin": Command[Settings](
        "the first administrator (AKIBA_ADMIN_USERNAME/PASSWORD)", _create_admin
    ),
    "assign-role": Command[Settings](
        "give a user a role in a scope, as the operator (the trusted root)",
        _assign,
        _assign_arguments,
    ),
    "rotate-key": Command[Settings](
        "sign with a new key; older ones verify until retired", _rotate
    ),
    "republish-tree": Command[Settings](
        "publish every supervisory node and requisition group again (auth.supervision)",
        _republish_tree,
    ),
}
ENTRY = central_service(
    "akiba-auth", Settings, prepare=bootstrap.prepare, roles=ROLES, commands=COMMANDS
)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run it."""
    service_main(ENTRY, argv)


if __name__ == "__main__":
    main()
