"""Tokens that hold every right, and the demo ids worth aiming at, for each target."""

from __future__ import annotations

from typing import Any

import httpx

from akiba_devtools.testing import wait_until
from akiba_fulfillment.demo import LINES as DEMO_SUPPLY_LINES
from akiba_platform.demo import demo_id
from tests.fuzz import fuzzer_user
from tests.fuzz.deployment import DEMO_PASSWORD, Deployment, Target

ISSUER = "auth"
# Path ids the fuzzer tries most of the time (the rest random): demo records, so the
# operations get past "not found" into their real work.
CENTRAL_IDS = {
    "store_id": [str(demo_id("store", c)) for c in ("WH-NAT", "HF-0001", "DEP-NORTH")],
    "item_id": [str(demo_id("item", c)) for c in ("AMX-250", "ORS-1L", "MR-VAX")],
    "supply_line_id": [str(i) for i in DEMO_SUPPLY_LINES],
}
SITE_IDS = {
    "store_id": [str(fuzzer_user.SITE_STORE)],
    "item_id": CENTRAL_IDS["item_id"],
}


async def _token(url: str, form: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        r = await c.post("/oauth/token", data=form)
        return str(r.json()["access_token"]) if r.status_code == 200 else ""


def _password(username: str) -> dict[str, str]:
    return {"grant_type": "password", "username": username, "password": DEMO_PASSWORD}


def _probe(target: Target, document: dict[str, Any]) -> tuple[str, str] | None:
    """A GET the target protects (path, token), to see the token admitted before fuzzing."""
    for path, operations in document["paths"].items():
        op = operations.get("get", {})
        if "x-akiba-site" in op and target.site_token:
            return path.replace("{site_id}", target.site_id), target.site_token
        if "x-akiba-right" in op and "{" not in path:
            return path, target.token
    return None


async def _admitted(target: Target) -> None:
    """Wait until the target admits the tokens: permissions reach it through Kafka."""
    async with httpx.AsyncClient(base_url=target.url, timeout=30) as c:
        probe = _probe(target, (await c.get("/openapi.json")).json())
        if probe is None:
            return
        path, token = probe
        headers = {"authorization": f"Bearer {token}"}

        async def admitted() -> bool:
            return (await c.get(path, headers=headers)).status_code not in (401, 403)

        await wait_until(admitted, timeout=90, interval=0.5, what=f"{target.name} to admit")


async def authorise(deployment: Deployment) -> None:
    """Give each target its tokens and ids, and wait until it admits them."""
    issuer = next(t for t in deployment.targets if t.name == ISSUER)
    central = await _token(issuer.url, _password(fuzzer_user.USERNAME))
    for target in deployment.targets:
        if target.gateway:
            target.ids = SITE_IDS

            async def signed_in(t: Target = target) -> str:
                t.token = await _token(t.url, _password(fuzzer_user.USERNAME))
                return t.token

            await wait_until(signed_in, timeout=90, interval=0.5, what=f"{target.name} sign-in")
        else:
            target.token, target.ids = central, CENTRAL_IDS
            target.site_id = deployment.site_id
            target.site_token = await _token(issuer.url, deployment.site_form)
        await _admitted(target)
