"""Browser tests: Debian's chromium, headless, driven by Playwright; central as real processes.

Screenshots of every screen go to `artifacts/web/` (kept by CI), and axe-core checks each one.
Nothing downloads a browser: the system's chromium is used, or the tests cannot run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing.plugin import Databases
from tests.browser.chromium import ARTIFACTS, chromium
from tests.e2e.sync.harness import Central


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots and accessibility reports go."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """The system's chromium, headless."""
    async with chromium() as b:
        yield b


@pytest.fixture(scope="module")
async def central(
    databases: Databases, stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Central]:
    """Central with the web process, requisition and fulfillment, as real processes."""
    deployment = Central(
        stack.kafka_bootstrap,
        tmp_path_factory.mktemp("central"),
        requisition=True,
        fulfillment=True,
        web=True,
    )
    try:
        await deployment.start(databases)
        yield deployment
    finally:
        deployment.stop()
