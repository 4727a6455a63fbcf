"""The KRaft nodes of the local Kafka: where each keeps its files, and its server.properties.

One node (the default) keeps the layout the stack always had: `kafka/data`,
`kafka/server.properties`, `kafka/kafka.log`. A cluster of N nodes puts node n under
`kafka/node-n/`, on the configured ports plus (n - 1) * NODE_PORT_STEP, every node both
broker and controller (a static quorum of N voters).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from akiba_devtools.stack.state import HOST, NODE_PORT_STEP, Ports, StackPaths, replication_for


@dataclass(frozen=True)
class Node:
    """One combined broker+controller node: its id, its two ports and its files."""

    node_id: int
    port: int
    controller_port: int
    home: Path  # kafka.log and kafka.out

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def properties(self) -> Path:
        return self.home / "server.properties"

    @property
    def log(self) -> Path:
        return self.home / "kafka.log"

    @property
    def stdout(self) -> Path:
        return self.home / "kafka.out"

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"


def layout(paths: StackPaths, ports: Ports, brokers: int = 1) -> list[Node]:
    """The nodes of a local cluster of `brokers` nodes (one: the stack's historical layout)."""
    if brokers == 1:
        return [Node(1, ports.kafka, ports.controller, paths.kafka_dir)]
    return [
        Node(
            n,
            ports.kafka + NODE_PORT_STEP * (n - 1),
            ports.controller + NODE_PORT_STEP * (n - 1),
            paths.kafka_dir / f"node-{n}",
        )
        for n in range(1, brokers + 1)
    ]


def bootstrap_of(nodes: list[Node]) -> str:
    """Every node's client address: clients still find the cluster when one is down."""
    return ",".join(node.address for node in nodes)


def render_server_properties(
    paths: StackPaths, ports: Ports, node: int = 1, brokers: int = 1
) -> str:
    """server.properties of node `node` in a local cluster of `brokers` combined nodes."""
    nodes = layout(paths, ports, brokers)
    me = nodes[node - 1]
    factor, min_isr = replication_for(brokers)
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(me.node_id),
        # A static voter set, so changing the controller port never strands the quorum.
        "controller.quorum.voters": ",".join(
            f"{n.node_id}@{HOST}:{n.controller_port}" for n in nodes
        ),
        "listeners": f"PLAINTEXT://{me.address},CONTROLLER://{HOST}:{me.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{me.address}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(me.data),
        "num.partitions": "3",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": str(factor),
        "transaction.state.log.replication.factor": str(factor),
        "transaction.state.log.min.isr": str(min_isr),
        "share.coordinator.state.topic.replication.factor": str(factor),
        "share.coordinator.state.topic.min.isr": str(min_isr),
        "group.initial.rebalance.delay.ms": "0",
        "log.retention.hours": "168",
    }
    if brokers > 1:
        # Topics made without saying (by tools, not the catalogue) are replicated too, and
        # no acks=all write counts until min_isr brokers have it.
        settings |= {"default.replication.factor": str(factor), "min.insync.replicas": str(min_isr)}
    return "".join(f"{key}={value}\n" for key, value in settings.items())
