"""A private deployment for the fuzzer: every service as a real process on fresh databases.

Each central service (`akiba.services`) gets a new database on the stack's PostgreSQL, its demo
data and a `serve` process on a free port; each demo site (`akiba.sites`) gets a gateway on a
free port, wired to those services. Everything is stopped and dropped at the end.

Kafka is the run's own broker (a few seconds to start, the stack's cached jars): what the fuzzer
writes (demo records renamed or deactivated, permissions changed, under the demo's fixed ids)
lands on compacted topics that a `make run` on the same stack would otherwise read for good.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from akiba_devtools import stack
from akiba_devtools.discovery import discover, discover_sites
from akiba_devtools.stack import StackConfig, StackEndpoints
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.databases import scratch_database as _database
from akiba_platform.services import ServiceSpec, SiteSpec
from tests.fuzz import fuzzer_user

DEMO_PASSWORD = "akiba-fuzz-demo"
# Tokens outlive the whole run, so no request is refused for an expired one.
TOKEN_SECONDS = "7200"


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Target:
    """One service under test: where it answers and how to call it with every right."""

    name: str
    url: str
    process: ServiceProcess
    gateway: bool = False
    token: str = ""
    site_token: str = ""
    site_id: str = ""
    ids: dict[str, list[str]] = field(default_factory=dict)

    @property
    def openapi_url(self) -> str:
        return f"{self.url}/openapi.json"


@dataclass
class Deployment:
    """Every service of the workspace, started for one fuzz run, and the demo site's login."""

    targets: list[Target]
    site_id: str = ""
    site_secret: str = ""

    @property
    def site_form(self) -> dict[str, str]:
        """The demo site's client_credentials grant."""
        return {
            "grant_type": "client_credentials",
            "client_id": self.site_id,
            "client_secret": self.site_secret,
        }


def _demo_env(bootstrap: str) -> dict[str, str]:
    return {
        "AKIBA_DEMO": "1",
        "AKIBA_DEMO_PASSWORD": DEMO_PASSWORD,
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "AKIBA_ACCESS_TOKEN_SECONDS": TOKEN_SECONDS,
        "AKIBA_LOG_LEVEL": "WARNING",
    }


async def _seed(spec: ServiceSpec, env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            spec.module,
            spec.demo_command,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        if await proc.wait() != 0:
            raise RuntimeError(f"{spec.name} {spec.demo_command} failed: see {log}")


async def _ready(target: Target) -> None:
    async def answers() -> bool:
        if target.process.returncode is not None:
            raise RuntimeError(f"{target.name} exited:\n{target.process.output()[-3000:]}")
        async with httpx.AsyncClient() as c:
            try:
                return (await c.get(f"{target.url}/ready")).status_code == 200
            except httpx.TransportError:
                return False

    await wait_until(answers, timeout=120, interval=0.3, what=f"{target.name} to be ready")


def _stop_later(cleanup: AsyncExitStack, proc: ServiceProcess) -> None:
    cleanup.callback(proc.stop)


async def _central(
    spec: ServiceSpec, server: str, bootstrap: str, run: str, workdir: Path, cleanup: AsyncExitStack
) -> Target:
    dsn = await _database(server, f"akiba_fuzz_{run}_{spec.database}", cleanup)
    port = free_port()
    env = {**_demo_env(bootstrap), "AKIBA_DATABASE_URL": dsn, "AKIBA_HTTP_PORT": str(port)}
    log = workdir / f"{spec.name}.log"
    await _seed(spec, env, log)
    if spec.name == "auth":
        await fuzzer_user.provision(dsn, DEMO_PASSWORD)
    proc = ServiceProcess(spec.module, ["serve"], env, log).start()
    _stop_later(cleanup, proc)
    return Target(spec.name, f"http://127.0.0.1:{port}", proc)


def _site_env(site: SiteSpec, moved: dict[int, int], state: Path, port: int) -> dict[str, str]:
    """The site's own settings, with central's default ports replaced by this run's."""
    env: dict[str, str] = {}
    for key, value in site.env.items():
        value = value.replace("{state}", str(state))
        for old, new in moved.items():
            value = value.replace(f":{old}", f":{new}")
        env[key] = value.replace(f":{site.http_port}", f":{port}")
    return env


async def _site(
    site: SiteSpec, moved: dict[int, int], workdir: Path, cleanup: AsyncExitStack
) -> Target:
    port = free_port()
    env = {**_site_env(site, moved, workdir, port), "AKIBA_DEMO": "1"}
    env[next(k for k, v in site.env.items() if v == str(site.http_port))] = str(port)
    proc = ServiceProcess(site.module, ["serve"], env, workdir / f"{site.name}.log").start()
    _stop_later(cleanup, proc)
    site_id = next(v for k, v in env.items() if k.endswith("SITE_ID"))
    return Target(site.name, f"http://127.0.0.1:{port}", proc, gateway=True, site_id=site_id)


def _private_kafka(shared: StackConfig, pg_url: str, workdir: Path) -> StackConfig:
    """A broker of the run's own, beside the shared PostgreSQL, reusing the stack's jars."""
    config = StackConfig.from_env(
        {
            "AKIBA_STATE_DIR": str(workdir / "stack"),
            "AKIBA_KAFKA_PORT": str(free_port()),
            "AKIBA_KAFKA_CONTROLLER_PORT": str(free_port()),
            "AKIBA_PG_URL": pg_url,
        }
    )
    if shared.paths.kafka_libs.is_dir():
        config.paths.kafka_dir.mkdir(parents=True, exist_ok=True)
        config.paths.kafka_libs.symlink_to(shared.paths.kafka_libs)
    return config


async def _broker(endpoints: StackEndpoints, workdir: Path, cleanup: AsyncExitStack) -> str:
    config = _private_kafka(StackConfig.from_env(), endpoints.pg_url, workdir)
    private = await asyncio.to_thread(stack.up, config)
    cleanup.push_async_callback(asyncio.to_thread, stack.down, config)
    return private.kafka_bootstrap


@asynccontextmanager
async def deployment(workdir: Path) -> AsyncIterator[Deployment]:
    """Start the stack if needed, then every service and demo site; stop and drop all after."""
    endpoints = await asyncio.to_thread(stack.up)
    run = uuid.uuid4().hex[:8]
    async with AsyncExitStack() as cleanup:
        bootstrap = await _broker(endpoints, workdir, cleanup)
        specs = discover()
        central = [
            await _central(s, endpoints.pg_url, bootstrap, run, workdir, cleanup) for s in specs
        ]
        await asyncio.gather(*(_ready(t) for t in central))
        moved = {
            s.http_port: int(t.url.rsplit(":", 1)[1]) for s, t in zip(specs, central, strict=True)
        }
        sites = discover_sites()
        gateways = [await _site(s, moved, workdir, cleanup) for s in sites]
        await asyncio.gather(*(_ready(t) for t in gateways))
        demo = sites[0].env if sites else {}
        yield Deployment(
            central + gateways,
            next((v for k, v in demo.items() if k.endswith("SITE_ID")), ""),
            next((v for k, v in demo.items() if k.endswith("SITE_SECRET")), ""),
        )
