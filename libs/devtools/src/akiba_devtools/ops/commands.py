"""The arguments of `akiba dlq`, `akiba lag` and `akiba stuck` (registered in the cli)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeAlias

from akiba_devtools.ops import dlq, lag, stuck
from akiba_devtools.ops._kafka import MetadataUnavailable, add_bootstrap, bootstrap
from akiba_devtools.ops.dead_letters import Filters, duration, parse_id
from akiba_platform.settings import ServiceSettings

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _run(work: Callable[[argparse.Namespace], Coroutine[Any, Any, list[str]]]) -> Any:
    """A handler that prints what `work` returns, and an error (exit 1) for a refusal."""

    def handler(args: argparse.Namespace) -> int:
        try:
            out = asyncio.run(work(args))
        except (dlq.Refused, LookupError, ValueError, MetadataUnavailable) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print("\n".join(out))
        return 0

    return handler


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(
        topic=args.topic,
        reason=args.reason,
        older_than=duration(args.older_than) if args.older_than else None,
        newer_than=duration(args.newer_than) if args.newer_than else None,
    )


def _add_filters(parser: argparse.ArgumentParser, reason_flag: str = "--reason") -> None:
    parser.add_argument("--topic", help="a topic or its .dlq (default: every .dlq topic)")
    parser.add_argument(reason_flag, dest="reason", help="only reasons containing this (any case)")
    parser.add_argument("--older-than", metavar="AGE", help="dead-lettered before AGE ago (1h, 2d)")
    parser.add_argument("--newer-than", metavar="AGE", help="dead-lettered within AGE (30m)")
    add_bootstrap(parser)


async def _list(args: argparse.Namespace) -> list[str]:
    found = await dlq.dead_letters(bootstrap(args), _filters(args), discarded=args.all)
    return dlq.lines(found[: args.limit] if args.limit else found)


async def _show(args: argparse.Namespace) -> list[str]:
    return [dlq.shown(await dlq.one(bootstrap(args), *_one_id(args.id)))]


def _one_id(parts: list[str]) -> tuple[str, int, int]:
    if len(parts) == 1:
        return parse_id(parts[0])
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], int(parts[1]), int(parts[2])
    raise ValueError("say <dlq-topic> <partition> <offset> (or <dlq-topic>:<partition>:<offset>)")


async def _selection(args: argparse.Namespace) -> list[dlq.Listed]:
    servers = bootstrap(args)
    if args.ids:
        return [await dlq.one(servers, *parse_id(i)) for i in args.ids]
    if not args.matching:
        raise ValueError("name dead letters (<dlq-topic>:<partition>:<offset>) or pass --matching")
    return await dlq.dead_letters(servers, _filters(args))


async def _replay(args: argparse.Namespace) -> list[str]:
    chosen = await _selection(args)
    landed = await dlq.replay(bootstrap(args), chosen, args.by, again=args.again)
    return [f"replayed {x.dead.id} -> {where}" for x, where in zip(chosen, landed, strict=True)]


async def _discard(args: argparse.Namespace) -> list[str]:
    chosen = await _selection(args)
    await dlq.discard(bootstrap(args), chosen, args.by, args.reason_text)
    return [f"discarded {x.dead.id}" for x in chosen]


def _add_selection(parser: argparse.ArgumentParser, reason_flag: str = "--reason") -> None:
    parser.add_argument("ids", nargs="*", metavar="DLQ-TOPIC:PARTITION:OFFSET")
    parser.add_argument(
        "--matching", action="store_true", help="every dead letter the filters admit"
    )
    parser.add_argument("--by", required=True, help="who decides (recorded in ops.dlq-decisions)")
    _add_filters(parser, reason_flag)


def register_dlq(subparsers: Subparsers) -> None:
    """`akiba dlq list|show|replay|discard`."""
    parser = subparsers.add_parser("dlq", help="dead letters: list, show, replay, discard")
    actions = parser.add_subparsers(
        dest="action", required=True, metavar="list|show|replay|discard"
    )
    listing = actions.add_parser("list", help="one line per dead letter, oldest first")
    _add_filters(listing)
    listing.add_argument("--limit", type=int, help="at most N lines")
    listing.add_argument("--all", action="store_true", help="include discarded dead letters")
    listing.set_defaults(handler=_run(_list))
    show = actions.add_parser("show", help="one dead letter in full")
    show.add_argument("id", nargs="+", metavar="DLQ-TOPIC PARTITION OFFSET")
    add_bootstrap(show)
    show.set_defaults(handler=_run(_show))
    replay = actions.add_parser("replay", help="re-inject onto the original topic (logged)")
    _add_selection(replay)
    replay.add_argument("--again", action="store_true", help="even if replayed before")
    replay.set_defaults(handler=_run(_replay))
    discard = actions.add_parser("discard", help="set aside for good (logged, never replayed)")
    _add_selection(discard, reason_flag="--reason-contains")
    discard.add_argument("--reason", dest="reason_text", required=True, help="why it is discarded")
    discard.set_defaults(handler=_run(_discard))


async def _lag(args: argparse.Namespace) -> list[str]:
    return lag.lines(await lag.lags(bootstrap(args), args.group or ""))


def register_lag(subparsers: Subparsers) -> None:
    """`akiba lag [--group PREFIX]`."""
    parser = subparsers.add_parser("lag", help="consumer lag per group and partition, worst first")
    parser.add_argument("--group", metavar="PREFIX", help="only groups whose name starts so")
    add_bootstrap(parser)
    parser.set_defaults(handler=_run(_lag))


async def _stuck(args: argparse.Namespace) -> list[str]:
    url = args.database_url or ServiceSettings().database_url
    return stuck.lines(await stuck.stuck_stores(url))


def register_stuck(subparsers: Subparsers) -> None:
    """`akiba stuck --database-url URL`."""
    parser = subparsers.add_parser("stuck", help="stores whose site documents wait (inventory)")
    parser.add_argument("--database-url", help="inventory's database (default: AKIBA_DATABASE_URL)")
    parser.set_defaults(handler=_run(_stuck))
