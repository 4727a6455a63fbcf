"""How a service declares itself: its process (`service_main`) and its spec for the tooling.

A central service's spec is an `akiba.services` entry point, a demo site's an `akiba.sites`
one; the tooling (`akiba_devtools.discovery`) finds them.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T")


def event_loop() -> asyncio.Runner:
    """uvloop where it is installed (not on Windows), asyncio's own loop elsewhere.

    A service's work is many small socket writes and callbacks (a statement per round trip, a
    Kafka request, an HTTP answer); uvloop does the loop's share of each in C.
    """
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on the loop services run on (`asyncio.run`'s place)."""
    with event_loop() as runner:
        return runner.run(main)


@dataclass(frozen=True)
class ServiceSpec:
    """What `akiba run` needs to start one service locally."""

    name: str
    module: str
    http_port: int
    database: str
    demo_command: str = "seed-demo"


@dataclass(frozen=True)
class SiteSpec:
    """A demo site's process `akiba run` starts after central: it talks to central over HTTP.

    `env` holds the site's own settings; `{state}` in a value is replaced by the stack's state
    folder (where the site keeps its local database).
    """

    name: str
    module: str
    http_port: int
    env: dict[str, str]


@dataclass(frozen=True)
class Command(Generic[S]):
    """A sub-command besides `serve`: its help, its own arguments, and what it runs."""

    help: str
    run: Callable[[S, argparse.Namespace], Coroutine[Any, Any, None]]
    arguments: Callable[[argparse.ArgumentParser], None] = lambda _: None


@dataclass(frozen=True)
class Service(Generic[S]):
    """A service's process: its roles, how `serve` runs them, and its other sub-commands.

    `start` runs once the settings are read, before any command (logs, Kafka, telemetry);
    `runner` makes the event loop every command runs on.
    """

    prog: str
    settings: Callable[[], S]
    start: Callable[[S], None]
    roles: Sequence[str]
    serve: Callable[[S, list[str]], Coroutine[Any, Any, None]]
    commands: Mapping[str, Command[S]] = field(default_factory=dict)
    runner: Callable[[], asyncio.Runner] = event_loop


def _parser(service: Service[S]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=service.prog)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then run the given roles until stopped")
    serve.add_argument("--roles", default=",".join(service.roles))
    for name, command in service.commands.items():
        command.arguments(sub.add_parser(name, help=command.help))
    return parser


def service_main(service: Service[S], argv: Sequence[str] | None = None) -> None:
    """Parse a service's command line, read its settings once, and run the command."""
    args = _parser(service).parse_args(argv)
    settings = service.settings()
    service.start(settings)
    with service.runner() as runner:
        runner.run(_command(service, settings, args))


def _command(
    service: Service[S], settings: S, args: argparse.Namespace
) -> Coroutine[Any, Any, None]:
    if args.command == "serve":
        return service.serve(settings, args.roles.split(","))
    return service.commands[args.command].run(settings, args)
