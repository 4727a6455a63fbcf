"""Starting a cluster: one cluster id for every node, and nothing left running by a failed start."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from akiba_devtools.stack import _jvm, kafka
from akiba_devtools.stack.errors import KafkaStartError
from akiba_devtools.stack.state import Ports, StackConfig, StackPaths


def test_the_nodes_of_a_new_cluster_are_formatted_with_one_cluster_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = StackConfig(StackPaths(tmp_path, tmp_path), Ports(kafka=41092), brokers=3)
    formatted: list[str] = []
    lock = threading.Lock()

    def format_node(*args: object) -> None:
        time.sleep(0.05)  # the JVM start that let each node choose its own id before
        with lock:
            formatted.append(str(args[-1]))

    # The JVM and processes are left out: what is under test is which id each node gets.
    monkeypatch.setattr(_jvm, "check_java", lambda: "java")
    monkeypatch.setattr(_jvm, "ensure_jars", lambda *_: None)
    monkeypatch.setattr(kafka, "ensure_port_free", lambda *_: None)
    monkeypatch.setattr(kafka, "_format_once", format_node)
    monkeypatch.setattr(kafka, "_spawn_detached", lambda command, node: node.node_id)

    pids = kafka._start(config, kafka.nodes(config))

    assert pids == [1, 2, 3]
    assert len(formatted) == 3 and len(set(formatted)) == 1
    assert config.paths.cluster_id_file.read_text().strip() == formatted[0]


def test_a_cluster_that_does_not_become_ready_is_stopped_before_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = StackConfig(StackPaths(tmp_path, tmp_path), Ports(kafka=41092), brokers=3)
    stopped: list[int] = []

    def never_ready(*_: object) -> None:
        raise KafkaStartError("Kafka did not become ready within 60 s")

    monkeypatch.setattr(kafka, "_start", lambda config, missing: [101, 102, 103])
    monkeypatch.setattr(kafka, "_wait_ready", never_ready)
    monkeypatch.setattr(kafka, "terminate", lambda pid, name, grace: stopped.append(pid))

    with pytest.raises(KafkaStartError):
        kafka.up(config)
    assert sorted(stopped) == [101, 102, 103]
