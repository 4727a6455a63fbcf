"""The arguments of `akiba backup` and `akiba restore` (registered in the cli)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeAlias

from akiba_devtools.ops import groups
from akiba_devtools.ops._kafka import add_bootstrap, bootstrap
from akiba_devtools.ops.backup import backup
from akiba_devtools.ops.restore import SEQUENCE_GAP, restore
from akiba_devtools.stack.postgres import _safe, base_url, database_url
from akiba_devtools.stack.state import SERVICE_DATABASES, StackConfig

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _server(args: argparse.Namespace) -> str:
    return str(args.pg_url or base_url(StackConfig.from_env())).rstrip("/")


def _backup(args: argparse.Namespace) -> int:
    folder = args.to or Path("backups") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    databases = args.database or list(SERVICE_DATABASES)
    manifest = asyncio.run(backup(_server(args), databases, folder))
    for d in manifest.databases:
        rows = sum(d.rows.values())
        print(f"{d.name:<22} {d.bytes / 1e6:8.2f} MB  {rows:>10} rows  {d.seconds:6.2f} s")
    print(f"backup of {len(manifest.databases)} databases in {folder}")
    print(f"  {manifest.total_bytes / 1e6:.2f} MB, PostgreSQL {manifest.server_version}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    server = _server(args)
    done = asyncio.run(
        restore(args.backup, server, only=args.database, sequence_gap=args.sequence_gap)
    )
    for r in done:
        print(f"{r.name:<22} {r.rows:>10} rows in {r.tables} tables verified  {r.seconds:6.2f} s")
    print(f"restored {len(done)} databases onto {_safe(server)}")
    if args.align_groups is not None:
        servers = bootstrap(args)
        for r in done:
            aligned = asyncio.run(
                groups.align(database_url(server, r.name), servers, args.align_groups)
            )
            for group, partitions in aligned.items():
                print(f"  group {group}: {partitions} partitions set to {r.name}'s positions")
    steps = [f"  {r.then}" for r in done if r.then]
    if steps:
        print("before the services take traffic, run:", *steps, sep="\n")
    return 0


def _add_server(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pg-url", help="server URL without a database (default: AKIBA_PG_URL or the stack's)"
    )
    parser.add_argument(
        "--database",
        action="append",
        metavar="NAME",
        help="only this database (repeatable; default: every service database)",
    )


def register_backup(subparsers: Subparsers) -> None:
    """`akiba backup [--to DIR] [--database NAME]... [--pg-url URL]`."""
    parser = subparsers.add_parser(
        "backup", help="dump every service database online, one snapshot each, with a manifest"
    )
    parser.add_argument(
        "--to", type=Path, help="a new folder for the backup (default: backups/<UTC time>)"
    )
    _add_server(parser)
    parser.set_defaults(handler=_backup)


def register_restore(subparsers: Subparsers) -> None:
    """`akiba restore DIR [--database NAME]... [--pg-url URL] [--sequence-gap N]`."""
    parser = subparsers.add_parser(
        "restore", help="restore a backup onto a server whose databases are absent or empty"
    )
    parser.add_argument("backup", type=Path, help="the backup's folder (holds manifest.json)")
    _add_server(parser)
    parser.add_argument(
        "--sequence-gap",
        type=int,
        default=SEQUENCE_GAP,
        help=f"move every sequence on by this much (default {SEQUENCE_GAP})",
    )
    parser.add_argument(
        "--align-groups",
        metavar="PREFIX",
        help="set the committed offsets of the restored consumers' groups (PREFIX + consumer,"
        " the services' AKIBA_CONSUMER_GROUP_PREFIX, may be '') to the restored positions",
    )
    add_bootstrap(parser)
    parser.set_defaults(handler=_restore)
