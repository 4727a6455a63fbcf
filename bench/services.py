"""A service's API as its own process for a bench phase: started, ready, stopped at the end."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import httpx

from akiba_devtools.testing import ServiceProcess
from bench.http_load import free_port
from bench.measure import wait_for


async def serve(
    module: str,
    roles: str,
    dsn: str,
    bootstrap: str,
    log: Path,
    cleanup: AsyncExitStack,
    **extra: str,
) -> tuple[str, ServiceProcess]:
    """`python -m <module> serve --roles <roles>` on `dsn` (more settings in `extra`): its
    URL, once it answers /ready (roles without the API answer no HTTP: not waited for)."""
    port = free_port()
    proc = ServiceProcess(
        module,
        ["serve", "--roles", roles],
        {
            "AKIBA_DATABASE_URL": dsn,
            "AKIBA_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "AKIBA_HTTP_PORT": str(port),
            "AKIBA_OTEL_EXPORTER": "none",
            "AKIBA_LOG_LEVEL": "WARNING",
            **extra,
        },
        log,
    ).start()
    cleanup.callback(proc.stop)
    url = f"http://127.0.0.1:{port}"

    async def ready() -> bool:
        if proc.returncode is not None:
            raise RuntimeError(f"{module} exited with {proc.returncode}:\n{proc.output()[-3000:]}")
        async with httpx.AsyncClient() as c:
            try:
                return (await c.get(f"{url}/ready")).status_code == 200
            except httpx.TransportError:
                return False

    if "api" in roles.split(","):
        await wait_for(ready, what=f"the {module} API", timeout=90)
    return url, proc
