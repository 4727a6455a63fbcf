"""Debian's chromium for browser tests, and the look at each screen (screenshot + axe)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"
CHROMIUM = os.environ.get("AKIBA_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# axe's serious and critical findings fail a screen; moderate and minor ones are reported.
FAILING = ("serious", "critical")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """The system's chromium, headless (as root it needs --no-sandbox); nothing downloaded."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no chromium at {CHROMIUM}: apt-get install chromium")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


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
