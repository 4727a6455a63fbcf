from pathlib import Path

import pytest

from akiba_devtools.stack import StackEndpoints
from akiba_devtools.stack.kafka import render_server_properties
from akiba_devtools.stack.postgres import render_conf
from akiba_devtools.stack.state import Ports, StackPaths

PATHS = StackPaths(state_dir=Path("/srv/akiba-state"), repo_root=Path("/srv/repo"))


def _parse(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def test_server_properties_describe_one_combined_kraft_node_on_loopback() -> None:
    props = _parse(render_server_properties(PATHS, Ports(kafka=39092, controller=39093)))

    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:39093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:39092"
    assert props["log.dirs"] == "/srv/akiba-state/kafka/data"


def test_server_properties_suit_a_single_broker_that_never_creates_topics_implicitly() -> None:
    props = _parse(render_server_properties(PATHS, Ports()))

    assert props["auto.create.topics.enable"] == "false"
    assert props["num.partitions"] == "3"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["share.coordinator.state.topic.replication.factor"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["log.retention.hours"] == "168"


def test_a_single_broker_sets_no_cluster_wide_replication_defaults() -> None:
    props = _parse(render_server_properties(PATHS, Ports()))

    assert "default.replication.factor" not in props
    assert "min.insync.replicas" not in props


def _cluster_node(node: int) -> dict[str, str]:
    text = render_server_properties(PATHS, Ports(kafka=39092, controller=39093), node, brokers=3)
    return _parse(text)


@pytest.mark.parametrize("node", [1, 2, 3])
def test_each_node_of_a_three_node_cluster_has_its_own_id_ports_and_log_dir(node: int) -> None:
    props = _cluster_node(node)
    port, controller = 39092 + 10 * (node - 1), 39093 + 10 * (node - 1)

    assert props["node.id"] == str(node)
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == (
        f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}"
    )
    assert props["advertised.listeners"] == f"PLAINTEXT://127.0.0.1:{port}"
    assert props["log.dirs"] == f"/srv/akiba-state/kafka/node-{node}/data"


def test_the_three_nodes_share_one_static_quorum_of_three_voters() -> None:
    voters = {_cluster_node(n)["controller.quorum.voters"] for n in (1, 2, 3)}

    assert voters == {"1@127.0.0.1:39093,2@127.0.0.1:39103,3@127.0.0.1:39113"}


def test_a_three_node_cluster_keeps_three_copies_and_needs_two_in_sync() -> None:
    props = _cluster_node(2)

    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "share.coordinator.state.topic.replication.factor",
        "default.replication.factor",
    ):
        assert props[key] == "3", key
    for key in (
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.min.isr",
        "min.insync.replicas",
    ):
        assert props[key] == "2", key
    assert props["auto.create.topics.enable"] == "false"


@pytest.mark.parametrize(
    ("brokers", "factor", "min_isr"), [(1, "1", "1"), (2, "2", "1"), (3, "3", "2"), (5, "3", "2")]
)
def test_services_are_told_the_replication_the_cluster_allows(
    brokers: int, factor: str, min_isr: str
) -> None:
    env = StackEndpoints("postgresql://pg", "k1:1,k2:2", brokers).kafka_env()

    assert env == {
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": "k1:1,k2:2",
        "AKIBA_KAFKA_REPLICATION_FACTOR": factor,
        "AKIBA_KAFKA_MIN_INSYNC_REPLICAS": min_isr,
    }


def test_postgres_settings_listen_on_loopback_tcp_and_keep_fsync_on() -> None:
    conf = render_conf(PATHS, 54999)

    assert "listen_addresses = '127.0.0.1'\n" in conf
    assert "port = 54999\n" in conf
    assert "unix_socket_directories = '/srv/akiba-state/postgres/run'\n" in conf
    assert "fsync = on\n" in conf
    assert "max_connections = 300\n" in conf


def test_postgres_falls_back_to_tcp_only_when_the_socket_path_would_be_too_long() -> None:
    deep = StackPaths(state_dir=Path("/x" * 60), repo_root=Path("/srv/repo"))

    assert "unix_socket_directories = ''\n" in render_conf(deep, 54999)
