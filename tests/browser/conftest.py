"""Browser tests: Debian's chromium, headless, driven by Playwright; central as real processes.

Screenshots of every screen go to `artifacts/web/` (kept by CI), and axe-core checks each one.
Nothing downloads a browser: the system's chromium is used, or the tests cannot run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing.plugin import Databases
from tests.e2e.sync.harness import Central

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"
CHROMIUM = os.environ.get("AKIBA_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# axe's serious and critical findings fail a screen; moderate and minor ones are reported.
FAILING = ("serious", "critical")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots and accessibility reports go."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """The system's chromium, headless (as root it needs --no-sandbox)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no chromium at {CHROMIUM}: apt-get install chromium")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            await b.close()


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


async def look(page: Page, artifacts: Path, name: str) -> dict[str, Any]:
    """Save the screen and check it with axe: no serious or critical violation."""
    await page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    results = await Axe().run(page)
    violations = results.response["violations"]
    (artifacts / f"{name}.axe.txt").write_text(
        "\n".join(f"{v['impact']}: {v['id']}: {v['help']}" for v in violations) or "no violations"
    )
    failing = [v for v in violations if v["impact"] in FAILING]
    assert not failing, results.generate_report()
    return results.response
