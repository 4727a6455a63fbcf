"""Authorization costs: token check per request, and the token endpoint at a real argon2 cost."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import argon2
import httpx
import jwt

from akiba_auth.admin import create_admin
from akiba_auth.api.app import create_app
from akiba_auth.bootstrap import MIGRATIONS
from akiba_auth.settings import Settings
from akiba_contracts.rights import Right
from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import AUDIENCE, ISSUER, TestIssuer
from bench.env import Env

PASSWORD = "a-benchmark-password"


def _per_call_us(fn: Callable[[], Any], seconds: float = 1.0) -> float:
    """Mean µs per call over about `seconds`."""
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(200):
            fn()
        n += 200
    return elapsed / n * 1e6


def token_checks() -> dict[str, float]:
    """µs per request: raw Ed25519 and PyJWT baselines against our verify + permission check."""
    issuer = TestIssuer()
    store, program = str(uuid.uuid4()), str(uuid.uuid4())
    _, token = issuer.user(f"STOCK_ADJUST|{store}|{program}", "REPORTS_VIEW")
    signing_input, _, sig = token.rpartition(".")
    signature = jwt.utils.base64url_decode(sig)
    public = issuer.private.public_key()
    az = issuer.authorizer

    def ours_cold() -> None:
        az._cache.clear()  # force a full verification, as for a token seen the first time
        az.allows(az.authenticate(token), Right.STOCK_ADJUST, store, program)

    def ours_cached() -> None:
        az.allows(az.authenticate(token), Right.STOCK_ADJUST, store, program)

    figures = {
        "raw Ed25519 verify": _per_call_us(
            lambda: public.verify(signature, signing_input.encode())
        ),
        "raw PyJWT decode": _per_call_us(
            lambda: jwt.decode(
                token, public, algorithms=["EdDSA"], audience=AUDIENCE, issuer=ISSUER
            )
        ),
        "verify + permission check (first use)": _per_call_us(ours_cold),
        "verify + permission check (cached token)": _per_call_us(ours_cached),
    }
    figures["first use / raw PyJWT"] = (
        figures["verify + permission check (first use)"] / figures["raw PyJWT decode"]
    )
    return figures


async def token_endpoint(env: Env, seconds: float = 6.0, concurrency: int = 4) -> dict[str, float]:
    """Password grants per second through the real app, against raw argon2 verifies per second."""
    settings = Settings()  # the production argon2 cost: argon2id t=3, 64 MiB, p=1
    databases = Databases(env.dsn.rsplit("/", 1)[0])
    dsn = await databases.create({"auth": MIGRATIONS})
    settings = settings.model_copy(update={"database_url": dsn})
    await create_admin(settings, "bench-admin", PASSWORD)
    pool = await create_pool(dsn, max_size=concurrency + 2)
    app = create_app(settings, pool, TestIssuer().authorizer)
    latencies: list[float] = []
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://auth") as c:
                deadline = time.perf_counter() + seconds
                start = time.perf_counter()
                await asyncio.gather(*(_grants(c, deadline, latencies) for _ in range(concurrency)))
                wall = time.perf_counter() - start
    finally:
        await pool.close()
        await databases.drop_all()
    # One verifying thread per core: argon2 is CPU and memory bound, more threads only queue.
    raw = _raw_argon2(settings, seconds, workers=os.cpu_count() or 1)
    lat = sorted(latencies)
    return {
        "argon2id time cost": settings.argon2_time_cost,
        "argon2id memory MiB": settings.argon2_memory_kib / 1024,
        "password grants/s": len(lat) / wall,
        "p50 ms": statistics.median(lat) * 1000,
        "p99 ms": lat[int(len(lat) * 0.99) - 1] * 1000 if len(lat) > 1 else lat[0] * 1000,
        "raw argon2 verifies/s": raw,
        "grants / raw argon2": len(lat) / wall / raw,
    }


async def _grants(c: httpx.AsyncClient, deadline: float, latencies: list[float]) -> None:
    form = {"grant_type": "password", "username": "bench-admin", "password": PASSWORD}
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        r = await c.post("/oauth/token", data=form)
        assert r.status_code == 200, r.text
        latencies.append(time.perf_counter() - began)


def _raw_argon2(settings: Settings, seconds: float, workers: int) -> float:
    hasher = argon2.PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    stored = hasher.hash(PASSWORD)
    deadline = time.perf_counter() + seconds

    def loop() -> int:
        n = 0
        while time.perf_counter() < deadline:
            hasher.verify(stored, PASSWORD)
            n += 1
        return n

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        total = sum(pool.map(lambda _: loop(), range(workers)))
    return total / (time.perf_counter() - start)
