"""Auth and inventory as real processes: rights set in auth take effect in inventory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest

from akiba_auth.admin import assign_as_operator, create_admin
from akiba_auth.bootstrap import MIGRATIONS
from akiba_auth.domain.model import Scope
from akiba_auth.settings import Settings
from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.plugin import Databases

from .conftest import Inventory, free_port

ADMIN_PASSWORD = "an-admin-password-for-e2e"
PASSWORD = "a-storeroom-password"


@dataclass
class Auth:
    """A running auth process and an administrator's client."""

    process: ServiceProcess
    url: str
    admin: httpx.AsyncClient
    dsn: str
    admin_name: str

    async def token(self, username: str, password: str) -> str:
        async with httpx.AsyncClient(base_url=self.url) as c:
            r = await c.post(
                "/oauth/token",
                data={"grant_type": "password", "username": username, "password": password},
            )
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])


@pytest.fixture
async def auth(databases: Databases, stack: StackEndpoints, tmp_path: Path) -> AsyncIterator[Auth]:
    dsn, port = await databases.create({"auth": MIGRATIONS}), free_port()
    env = {
        "AKIBA_DATABASE_URL": dsn,
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
        "AKIBA_HTTP_PORT": str(port),
        "AKIBA_RELAY_IDLE_SECONDS": "0.02",
        "AKIBA_ARGON2_MEMORY_KIB": "8192",
    }
    name = f"admin-{uuid4().hex[:8]}"
    await create_admin(Settings(database_url=dsn, argon2_memory_kib=8192), name, ADMIN_PASSWORD)
    proc = ServiceProcess("akiba_auth", ["serve"], env, tmp_path / "auth.log").start()
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as plain:

            async def admin_token() -> str:
                try:
                    r = await plain.post(
                        "/oauth/token",
                        data={
                            "grant_type": "password",
                            "username": name,
                            "password": ADMIN_PASSWORD,
                        },
                    )
                except httpx.TransportError:
                    return ""
                if r.status_code != 200:
                    return ""
                token = str(r.json()["access_token"])
                check = await plain.get("/users", headers={"authorization": f"Bearer {token}"})
                return token if check.status_code == 200 else ""

            token = await wait_until(admin_token, timeout=60, what="auth to admit its admin")
        headers = {"authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, headers=headers) as admin:
            yield Auth(proc, url, admin, dsn, name)
    finally:
        proc.stop()


async def _storeroom_manager(auth: Auth, store_id: str) -> tuple[str, str]:
    """A user allowed STOCK_ADJUST for a program at their home store; returns (id, username)."""
    a, role_name = auth.admin, f"Storeroom {uuid4().hex[:6]}"
    role = await a.post(
        "/roles",
        json={
            "name": role_name,
            "type": "SUPERVISION",
            "rights": ["STOCK_ADJUST", "STOCK_CARDS_VIEW"],
        },
    )
    assert role.status_code == 201, role.text
    username = f"sm-{uuid4().hex[:8]}"
    user = await a.post("/users", json={"username": username, "home_facility_id": store_id})
    assert user.status_code == 201, user.text
    user_id = user.json()["user_id"]
    assert (
        await a.put(f"/users/{user_id}/password", json={"password": PASSWORD})
    ).status_code == 204
    # Nobody grants through the API what they do not hold: the operator gives the
    # administrator the role over the store (a node supervising it), who then delegates it.
    program = uuid4()
    node = await a.post("/supervisory-nodes", json={"code": f"SN-{uuid4().hex[:6]}", "name": "n"})
    node_id = node.json()["node_id"]
    group = await a.post("/requisition-groups", json={
        "code": f"RG-{uuid4().hex[:6]}", "name": "g", "supervisory_node_id": node_id,
        "member_facility_ids": [store_id], "program_ids": [str(program)],
    })  # fmt: skip
    assert group.status_code == 201, group.text
    settings = Settings(database_url=auth.dsn, argon2_memory_kib=8192)
    await assign_as_operator(settings, auth.admin_name, role_name, Scope(program, UUID(node_id)))
    assigned = await a.post(
        f"/users/{user_id}/role-assignments",
        json={"role_id": role.json()["role_id"], "program_id": str(program)},
    )
    assert assigned.status_code == 201, assigned.text
    return user_id, username


async def _receives(inventory: Inventory, token: str) -> int:
    inventory.token = token
    return (await inventory.receive(3)).status_code


async def test_a_user_deactivated_in_auth_is_refused_by_inventory_within_seconds(
    auth: Auth, inventory: Inventory
) -> None:
    inventory.process("api")
    await inventory.api_ready()
    user_id, username = await _storeroom_manager(auth, str(inventory.store_id))
    token = await auth.token(username, PASSWORD)

    async def admitted() -> bool:
        return await _receives(inventory, token) == 201

    await wait_until(admitted, what="inventory to learn the right")
    assert (await auth.admin.post(f"/users/{user_id}/deactivate")).status_code == 200

    async def refused() -> bool:
        return await _receives(inventory, token) == 403

    await wait_until(refused, timeout=10, interval=0.2, what="inventory to refuse the user")


async def test_with_auth_stopped_inventory_still_authorizes_what_it_learned(
    auth: Auth, inventory: Inventory
) -> None:
    inventory.process("api")
    await inventory.api_ready()
    _, username = await _storeroom_manager(auth, str(inventory.store_id))
    token = await auth.token(username, PASSWORD)

    async def admitted() -> bool:
        return await _receives(inventory, token) == 201

    await wait_until(admitted, what="inventory to learn the right")
    auth.process.kill()
    assert await _receives(inventory, token) == 201
    other_store = Inventory(inventory.dsn, inventory.bootstrap, inventory.workdir, inventory.port)
    other_store.token = token
    assert (await other_store.receive(3)).status_code == 403  # its scope still holds
    # A restarted inventory rebuilds what it knows from Kafka alone, auth still down.
    inventory.processes.pop().stop()
    inventory.process("api")
    await inventory.api_ready()
    assert await _receives(inventory, token) == 201
