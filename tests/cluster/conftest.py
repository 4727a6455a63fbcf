"""A private three-node Kafka cluster for the broker-loss test (`make cluster-test`).

It runs beside the shared stack: its own state directory (a fresh cluster every run), its
own ports (AKIBA_CLUSTER_KAFKA_PORT, default 31092: nodes on 31092/31102/31112, controllers
one above each), and the stack's PostgreSQL server for fresh databases. The ports sit below
Linux's ephemeral range (32768-60999): while a node is dead, no outgoing connection may be
given its port, which would keep it from starting again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from akiba_devtools import stack as local_stack
from akiba_devtools.stack import kafka
from akiba_devtools.stack.state import Ports, StackConfig, StackPaths, find_repo_root


@dataclass(frozen=True)
class Cluster:
    """The running cluster: how to reach it and how to act on its nodes."""

    config: StackConfig
    endpoints: local_stack.StackEndpoints

    @property
    def bootstrap(self) -> str:
        return self.endpoints.kafka_bootstrap

    def pid(self, node: int) -> int | None:
        """The live process of node `node`, if any."""
        return kafka.running_pid(self.config.paths, kafka.nodes(self.config)[node - 1])

    def restart_missing(self) -> None:
        """Start the nodes that are not running and wait until all three are in the cluster."""
        kafka.up(self.config)


@pytest.fixture(scope="session")
def cluster(
    stack: local_stack.StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """Three combined KRaft nodes from the stack's Maven jars; stopped (and checked) after."""
    state = Path(tmp_path_factory.mktemp("cluster-state"))
    base = int(os.environ.get("AKIBA_CLUSTER_KAFKA_PORT", "31092"))
    config = StackConfig(
        StackPaths(state, find_repo_root()),
        Ports(kafka=base, controller=base + 1),
        external_pg_url=stack.pg_url,
        brokers=3,
    )
    endpoints = stack_up(config)
    try:
        yield Cluster(config, endpoints)
    finally:
        stopped = stack_down(config)
    assert stopped == ["kafka"], "every node of the cluster should have been running"
    assert all(not s.running for s in kafka.status(config)), "a node outlived `down`"


def stack_up(config: StackConfig) -> local_stack.StackEndpoints:
    """`akiba stack up --brokers 3`, as a function."""
    endpoints = local_stack.up(config)
    assert endpoints.kafka_brokers == 3
    return endpoints


def stack_down(config: StackConfig) -> list[str]:
    """`akiba stack down`, without being told the size: it is in the state directory."""
    return local_stack.down(replace(config, brokers=None))
