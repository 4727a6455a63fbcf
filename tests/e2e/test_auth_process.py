"""Auth as processes: its relay publishes keys and permissions, its API authorizes from them."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import httpx

from akiba_auth.admin import create_admin
from akiba_auth.bootstrap import MIGRATIONS
from akiba_auth.settings import Settings
from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.plugin import Databases
from akiba_devtools.testing.topics import read_topic
from tests.e2e.conftest import free_port

PASSWORD = "an-admin-password-for-e2e"


async def test_an_administrator_created_at_install_can_use_the_admin_api_of_a_running_auth(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> None:
    dsn, port = await databases.create({"auth": MIGRATIONS}), free_port()
    env = {
        "AKIBA_DATABASE_URL": dsn,
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
        "AKIBA_HTTP_PORT": str(port),
        "AKIBA_RELAY_IDLE_SECONDS": "0.02",
        "AKIBA_ARGON2_MEMORY_KIB": "8192",
    }
    username = f"admin-{uuid4().hex[:8]}"
    await create_admin(Settings(database_url=dsn, argon2_memory_kib=8192), username, PASSWORD)
    proc = ServiceProcess("akiba_auth", ["serve"], env, tmp_path / "auth.log").start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:

            async def admitted() -> bool:
                try:
                    r = await c.post(
                        "/oauth/token",
                        data={
                            "grant_type": "password",
                            "username": username,
                            "password": PASSWORD,
                        },
                    )
                    if r.status_code != 200:
                        return False
                    token = r.json()["access_token"]
                    users = await c.get("/users", headers={"authorization": f"Bearer {token}"})
                    return users.status_code == 200
                except httpx.TransportError:
                    return False

            await wait_until(admitted, what="auth to admit its administrator", timeout=60)
            me = (await c.get("/.well-known/jwks.json")).json()
        assert me["keys"]
        records = await read_topic(
            stack.kafka_bootstrap, "auth.permissions", expect=1, needle=username
        )
        assert records
    finally:
        proc.stop()
