"""Running a service's roles (api, relay, consume…) in one process until a signal stops them."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import uvicorn
from fastapi import FastAPI
from prometheus_client import start_http_server

from akiba_platform import kafka
from akiba_platform.logs import configure_logging
from akiba_platform.services import Command, Service
from akiba_platform.settings import ServiceSettings
from akiba_platform.telemetry import setup_telemetry

log = logging.getLogger(__name__)

Role = Callable[[asyncio.Event], Awaitable[None]]
Roles = dict[str, Role]
S = TypeVar("S", bound=ServiceSettings)


def api_role(app: FastAPI, host: str, port: int, *, forwarded_allow_ips: str) -> Role:
    """Serve the app with uvicorn until stopped.

    `forwarded_allow_ips` lists the proxies (addresses or networks, comma-separated, `*` for
    any) whose X-Forwarded-For / X-Forwarded-Proto are believed; empty believes none.
    """

    async def run(stop: asyncio.Event) -> None:
        server = uvicorn.Server(http_config(app, host, port, forwarded_allow_ips))
        serving = asyncio.create_task(server.serve())
        await stop.wait()
        server.should_exit = True
        await serving

    return run


def http_config(app: FastAPI, host: str, port: int, forwarded_allow_ips: str) -> uvicorn.Config:
    """uvicorn's configuration; proxy headers are off unless proxies are named."""
    # uvicorn's own default believes X-Forwarded-For from 127.0.0.1 (or $FORWARDED_ALLOW_IPS):
    # every local client could then pick the address sign-in limits count against.
    trusted = forwarded_allow_ips.strip()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


# Collect the young generation every 50,000 allocations instead of 700: a consumer batch
# allocates hundreds of thousands of short-lived objects, and at 700 they were promoted and
# rescanned by older collections (half the CPU of edge ingestion in a profile). Reference
# counting still frees almost all of them at once; only cycles wait a little longer.
YOUNG_GC_THRESHOLD = 50_000


def tune_gc() -> None:
    """Keep start-up's objects out of every collection; collect young objects less often."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, older, oldest)


async def _run(role: Role, stop: asyncio.Event) -> None:
    await role(stop)


async def run_roles(
    roles: Roles, *, metrics_port: int = 0, metrics_host: str = "127.0.0.1"
) -> None:
    """Run every role; SIGINT/SIGTERM stop them all gracefully, a crash in one stops the rest."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if metrics_port:
        start_http_server(metrics_port, addr=metrics_host)
    tune_gc()
    tasks: dict[asyncio.Task[None], str] = {
        asyncio.create_task(_run(role, stop), name=name): name for name, role in roles.items()
    }
    log.info("started", extra={"roles": sorted(roles)})
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for task, result in zip(tasks, results, strict=True):
        if isinstance(result, BaseException):
            log.error("role failed", extra={"role": tasks[task]}, exc_info=result)
    if any(isinstance(r, BaseException) for r in results):
        raise SystemExit(1)


def serve_app(app: FastAPI, settings: ServiceSettings) -> Role:
    """The api role: the app on the settings' host, port and trusted proxies."""
    return api_role(
        app,
        settings.http_host,
        settings.http_port,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def select_roles(build: Mapping[str, Callable[[S], Role]], settings: S, names: list[str]) -> Roles:
    """Build the named roles; an unknown name stops the process with the known ones."""
    unknown = set(names) - set(build)
    if unknown:
        raise SystemExit(f"unknown roles: {', '.join(sorted(unknown))}; choose from {tuple(build)}")
    return {n: build[n](settings) for n in names}


def start_central(settings: ServiceSettings) -> None:
    """What a central service sets up before any command: Kafka options, logs, telemetry."""
    kafka.configure(settings)
    configure_logging(settings.service_name, settings.log_level)
    setup_telemetry(settings)


def central_service(
    prog: str,
    settings: Callable[[], S],
    *,
    prepare: Callable[[S], Awaitable[None]],
    roles: Mapping[str, Callable[[S], Role]],
    commands: Mapping[str, Command[S]],
) -> Service[S]:
    """A central service: `serve` prepares (migrations, topics), then runs the named roles."""

    async def serve(s: S, names: list[str]) -> None:
        await prepare(s)
        built = select_roles(roles, s, names)
        await run_roles(built, metrics_port=s.metrics_port, metrics_host=s.http_host)

    return Service(prog, settings, start_central, tuple(roles), serve, commands)
