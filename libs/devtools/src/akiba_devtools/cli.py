"""The `akiba` command: `stack up|down|status|logs`, `dlq`, `lag`, `backup`…; see COMMANDS."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from akiba_devtools import audit, devrun, stack
from akiba_devtools.ops import backup_cli
from akiba_devtools.ops import commands as ops
from akiba_devtools.stack import kafka
from akiba_devtools.stack._process import tail
from akiba_devtools.stack.errors import StackError
from akiba_devtools.stack.state import StackConfig

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler: TypeAlias = Callable[[argparse.Namespace], int]


def _stack_up(args: argparse.Namespace) -> int:
    began = time.monotonic()
    config = dataclasses.replace(StackConfig.from_env(), brokers=args.brokers)
    endpoints = stack.up(config)
    print(f"stack up in {time.monotonic() - began:.1f} s")
    print(f"  postgres  {endpoints.pg_url}")
    print(f"  kafka     {endpoints.kafka_bootstrap}")
    if endpoints.kafka_brokers > 1:
        # Services started by hand must create replicated topics; `akiba run` passes these on.
        print(f"services need ({endpoints.kafka_brokers} brokers):")
        for key, value in endpoints.kafka_env().items():
            print(f"  export {key}={value}")
    return 0


def _stack_down(args: argparse.Namespace) -> int:
    if args.wipe:
        gone = stack.wipe(StackConfig.from_env())
        print("deleted: " + ", ".join(map(str, gone)) if gone else "no data to delete")
        return 0
    stopped = stack.down(StackConfig.from_env())
    print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    return 0


def _stack_status(args: argparse.Namespace) -> int:
    statuses = stack.status(StackConfig.from_env())
    for item in statuses:
        state = "external" if item.external else ("running" if item.running else "stopped")
        health = "healthy" if item.healthy else "unhealthy"
        pid = str(item.pid) if item.pid else "-"
        where = f"{item.endpoint}  ({item.detail})"
        print(f"{item.name:<9} {state:<8} {health:<9} pid {pid:<8} {where}")
    return 0 if all(item.healthy for item in statuses) else 1


def _log_of(config: StackConfig, component: str) -> Path:
    """postgres's log, or a Kafka node's: `kafka` is the first (or only), `kafka-2` the second."""
    if component == "postgres":
        return config.paths.pg_log
    nodes = kafka.nodes(config)
    number = component.removeprefix("kafka").removeprefix("-") or "1"
    if not number.isdigit() or not 1 <= int(number) <= len(nodes):
        raise StackError(f"no component {component!r}: postgres, kafka or kafka-1..{len(nodes)}")
    return nodes[int(number) - 1].log


def _stack_logs(args: argparse.Namespace) -> int:
    path = _log_of(StackConfig.from_env(), args.component)
    if not path.exists():
        raise StackError(f"no {args.component} log yet at {path}")
    text = tail(path, args.lines)
    if text:
        print(text)
    if args.follow:
        _follow(path)
    return 0


def _follow(path: Path) -> None:
    """Print lines appended to `path` until interrupted."""
    with path.open("r", errors="replace") as handle:
        handle.seek(0, 2)
        while True:
            line = handle.readline()
            if line:
                sys.stdout.write(line)
                sys.stdout.flush()
            else:
                time.sleep(0.3)


def _brokers(text: str) -> int:
    """`--brokers`: a positive count."""
    if not text.isdigit() or not 1 <= int(text) <= 9:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of brokers from 1 to 9")
    return int(text)


def _register_stack(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("stack", help="local PostgreSQL + Kafka without Docker")
    actions = parser.add_subparsers(dest="action", required=True, metavar="up|down|status|logs")
    up = actions.add_parser("up", help="start (or reuse) the stack")
    up.add_argument(
        "--brokers",
        type=_brokers,
        default=None,
        help="Kafka nodes (default: as many as are running, else 1); 3 = a replicated cluster",
    )
    up.set_defaults(handler=_stack_up)
    down = actions.add_parser("down", help="stop the stack")
    down.add_argument(
        "--wipe",
        action="store_true",
        help="then delete its data (every database and topic): the next `up` starts empty",
    )
    down.set_defaults(handler=_stack_down)
    actions.add_parser("status", help="show each component").set_defaults(handler=_stack_status)
    logs = actions.add_parser("logs", help="show a component's log")
    logs.add_argument("component", help="postgres, kafka, or kafka-N (a cluster's node N)")
    logs.add_argument("-n", "--lines", type=int, default=100, help="lines to show (default 100)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    logs.set_defaults(handler=_stack_logs)


# Each entry adds one top-level subcommand; handlers set `handler` and return an exit code.
COMMANDS: dict[str, Callable[[Subparsers], None]] = {
    "stack": _register_stack,
    "run": devrun.register,
    "audit": audit.register,
    "dlq": ops.register_dlq,
    "lag": ops.register_lag,
    "stuck": ops.register_stuck,
    "backup": backup_cli.register_backup,
    "restore": backup_cli.register_restore,
}


def build_parser() -> argparse.ArgumentParser:
    """The parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="akiba", description="Akiba LMIS developer tooling")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for register in COMMANDS.values():
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `akiba` console script."""
    args = build_parser().parse_args(argv)
    # Progress lines from the stack only; library chatter stays at warnings.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("akiba_devtools").setLevel(logging.INFO)
    handler: Handler = args.handler
    try:
        code = handler(args)
    except StackError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.detail:
            print(textwrap.indent(exc.detail, "  "), file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
