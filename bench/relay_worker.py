"""Inventory's relay role as its own process, as deployed: `python -m bench.relay_worker`.

Settings come from the environment (the bench's database and broker). It runs until SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal

from akiba_inventory.settings import Settings
from akiba_platform.relay import relay_role
from akiba_platform.runtime import tune_gc
from akiba_platform.services import run_async


async def main() -> None:
    """Relay until SIGTERM."""
    tune_gc()  # as run_roles does for every service process
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await relay_role(Settings())(stop)


if __name__ == "__main__":
    run_async(main())
