"""Central started once for the sync fault tests; gateways per test, always stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing.plugin import Databases
from tests.e2e.sync.harness import Central, Gateway, Site

GatewayFactory = Callable[..., Gateway]


@pytest.fixture(scope="module")
async def central(
    databases: Databases, stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Central]:
    """auth, inventory and the sync hub as real processes, shared by one module's tests.

    Per module, not per session: the broker-restart test leaves central's Kafka clients in
    whatever state they recover to, and no other test should depend on that.
    """
    deployment = Central(stack.kafka_bootstrap, tmp_path_factory.mktemp("central"))
    try:
        await deployment.start(databases)
        yield deployment
    finally:
        deployment.stop()


@pytest.fixture
def gateways(central: Central, tmp_path: Path) -> Iterator[GatewayFactory]:
    """Makes gateways for sites; every process and link they started is stopped after."""
    made: list[Gateway] = []

    def make(site: Site, name: str = "gw") -> Gateway:
        gw = Gateway(central, site, tmp_path, name)
        made.append(gw)
        return gw

    yield make
    for gw in made:
        gw.stop()
