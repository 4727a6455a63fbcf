"""A process's sessions carry its instance name: pg_stat_activity says which replica is which."""

from __future__ import annotations

import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import open_pool
from akiba_platform.settings import ServiceSettings

pytestmark = pytest.mark.stack

_MINE = "select application_name from pg_stat_activity where pid = pg_backend_pid()"


async def test_a_pools_sessions_are_named_after_the_instance(databases: Databases) -> None:
    dsn = await databases.create()
    settings = ServiceSettings(database_url=dsn, service_name="inventory", instance_name="inv-2")
    async with open_pool(settings) as pool:
        assert await pool.fetchval(_MINE) == "inv-2"


async def test_without_an_instance_name_they_are_named_after_the_service(
    databases: Databases,
) -> None:
    dsn = await databases.create()
    async with open_pool(ServiceSettings(database_url=dsn, service_name="inventory")) as pool:
        assert await pool.fetchval(_MINE) == "inventory"
