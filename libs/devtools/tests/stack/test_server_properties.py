from pathlib import Path

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
