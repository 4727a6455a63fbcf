"""The real Apache Kafka (KRaft: one combined node, or a cluster) run from Maven Central jars."""

from __future__ import annotations

import base64
import os
import subprocess
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from aiokafka.admin import AIOKafkaAdminClient  # type: ignore[import-untyped,unused-ignore]
from aiokafka.errors import KafkaError  # type: ignore[import-untyped,unused-ignore]

from akiba_devtools.stack import _jvm
from akiba_devtools.stack._kraft import Node, bootstrap_of, layout, render_server_properties
from akiba_devtools.stack._process import (
    cmdline_contains,
    ensure_port_free,
    find_pid_by_cmdline,
    pid_alive,
    port_answers,
    run_sync,
    tail,
    terminate,
)
from akiba_devtools.stack.errors import ExternalServiceError, KafkaStartError, StackError
from akiba_devtools.stack.state import (
    ComponentStatus,
    StackConfig,
    StackPaths,
    Started,
    read_records,
)

__all__ = ["bootstrap", "broker_answers", "brokers", "down", "nodes", "render_server_properties"]
__all__ += ["running_pid", "status", "up"]

T = TypeVar("T")
READY_TIMEOUT = 60.0
STOP_GRACE = 30.0
# A 2-core / 24 GB box: a fixed 1 GB heap (half that per node of a cluster), G1 with short
# pauses, die on OOM rather than limp.
HEAP = {True: "1g", False: "512m"}  # by "is it the only node"
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)


def brokers(config: StackConfig) -> int:
    """How many nodes: as asked, else as many as the last `up` started (stack.json), else one."""
    if config.brokers is not None:
        if config.brokers < 1:
            raise StackError(f"--brokers {config.brokers}: a Kafka cluster needs one or more")
        return config.brokers
    record = read_records(config.paths).get("kafka")
    return record.nodes if record else 1


def nodes(config: StackConfig) -> list[Node]:
    """The local nodes of this configuration."""
    return layout(config.paths, config.ports, brokers(config))


def bootstrap(config: StackConfig) -> str:
    """The bootstrap servers: external `AKIBA_KAFKA_BOOTSTRAP` or every local node."""
    return config.external_kafka_bootstrap or bootstrap_of(nodes(config))


def up(config: StackConfig) -> Started:
    """Start the local nodes not running (or check the external Kafka); wait until all answer."""
    began = time.monotonic()
    if config.external_kafka_bootstrap:
        if not broker_answers(config.external_kafka_bootstrap, timeout=10.0):
            servers = config.external_kafka_bootstrap
            raise ExternalServiceError(f"Kafka at {servers} does not answer")
        return _outcome(config, None, began)
    _refuse_another_size(config)
    cluster = nodes(config)
    pids = {node.node_id: running_pid(config.paths, node) for node in cluster}
    if all(pids.values()) and broker_answers(bootstrap(config), 5.0, len(cluster)):
        return _outcome(config, pids[1], began, already=True)
    if all(pids.values()):  # alive but not answering: restart them
        stop = terminate
        _each(cluster, lambda n: stop(pids[n.node_id] or 0, _name(n, len(cluster)), STOP_GRACE))
        pids = dict.fromkeys(pids)
    missing = [node for node in cluster if not pids[node.node_id]]
    pids |= dict(zip([n.node_id for n in missing], _start(config, missing), strict=True))
    try:
        _wait_ready(config, cluster, pids)
    except StackError:
        # A start that failed leaves nothing running: its nodes would hold the ports and the
        # memory, and a next `up` would find half a cluster.
        size = len(cluster)
        _each(missing, lambda n: terminate(pids[n.node_id] or 0, _name(n, size), STOP_GRACE))
        raise
    return _outcome(config, pids[1], began)


def _refuse_another_size(config: StackConfig) -> None:
    """A cluster of another size is running here: say so rather than start a second one."""
    record = read_records(config.paths).get("kafka")
    if record is None or config.brokers is None or record.nodes == config.brokers:
        return
    running = layout(config.paths, config.ports, record.nodes)
    if any(running_pid(config.paths, node) for node in running):
        raise StackError(
            f"Kafka runs here with {record.nodes} broker(s), not {config.brokers}: "
            "`akiba stack down` first (topics and data of one size are not the other's)"
        )


def _outcome(
    config: StackConfig, pid: int | None, began: float, *, already: bool = False
) -> Started:
    external = config.external_kafka_bootstrap is not None
    count = 1 if external else len(nodes(config))
    elapsed = time.monotonic() - began
    return Started("kafka", bootstrap(config), pid, external, already, elapsed, count)


def down(config: StackConfig) -> bool:
    """SIGTERM every local node at once, SIGKILL after 30 s; False when none was running."""
    if config.external_kafka_bootstrap:
        return False
    pids = {node: running_pid(config.paths, node) for node in nodes(config)}
    alive = [(node, pid) for node, pid in pids.items() if pid]
    # All at once: the last nodes of a cluster stopped one by one wait for a lost quorum.
    _each(alive, lambda item: terminate(item[1], _name(item[0], len(pids)), STOP_GRACE))
    return bool(alive)


def status(config: StackConfig) -> list[ComponentStatus]:
    """Each node: running, pid, and whether the cluster counts it (one line when external)."""
    servers = bootstrap(config)
    if config.external_kafka_bootstrap:
        healthy = broker_answers(servers, timeout=5.0)
        detail = "metadata ok" if healthy else "not answering"
        return [ComponentStatus("kafka", True, healthy, None, servers, True, detail)]
    cluster = nodes(config)
    pids = {node.node_id: running_pid(config.paths, node) for node in cluster}
    members = cluster_brokers(servers, 5.0) if any(pids.values()) else set()
    return [_node_status(node, pids[node.node_id], members, len(cluster)) for node in cluster]


def _node_status(node: Node, pid: int | None, members: set[int], size: int) -> ComponentStatus:
    healthy = pid is not None and node.node_id in members
    if size == 1:
        detail = "metadata ok" if healthy else ("not answering" if pid else "not running")
    elif healthy:
        detail = f"broker {node.node_id}, {len(members)} of {size} in the cluster"
    else:
        detail = "not in the cluster's metadata" if pid else "not running"
    return ComponentStatus(
        _name(node, size), pid is not None, healthy, pid, node.address, False, detail
    )


def _name(node: Node, size: int) -> str:
    return "kafka" if size == 1 else f"kafka-{node.node_id}"


def running_pid(paths: StackPaths, node: Node | None = None) -> int | None:
    """A node's pid (node 1 by default): stack.json's if still ours, else found by its files."""
    node = node or Node(1, 0, 0, paths.kafka_dir)
    marker = str(node.properties)
    record = read_records(paths).get("kafka")
    pid = record.pid if record and node.node_id == 1 else None
    if pid and pid_alive(pid) and cmdline_contains(pid, marker):
        return pid
    return find_pid_by_cmdline(marker)


def broker_answers(servers: str, timeout: float, at_least: int = 1) -> bool:
    """Tell whether the cluster answers a metadata request naming at least `at_least` brokers."""
    return len(cluster_brokers(servers, timeout)) >= at_least


def cluster_brokers(servers: str, timeout: float) -> set[int]:
    """The node ids of the brokers the cluster's metadata names (empty when nobody answers)."""
    reachable = [s for s in servers.split(",") if _port_open(s, timeout)]
    if not reachable:
        return set()  # skip the client: it logs errors on every refused connection
    return run_sync(_describe_cluster(",".join(reachable), timeout))


def _port_open(server: str, timeout: float) -> bool:
    host, _, port = server.strip().rpartition(":")
    return port.isdigit() and port_answers(host or "127.0.0.1", int(port), min(timeout, 1.0))


async def _describe_cluster(servers: str, seconds: float) -> set[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers, request_timeout_ms=int(seconds * 1000))
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return {int(broker["node_id"]) for broker in cluster.get("brokers") or []}
    except (KafkaError, OSError, TimeoutError):
        return set()
    finally:
        await admin.close()


def _start(config: StackConfig, missing: list[Node]) -> list[int]:
    """Write, format (once) and spawn each missing node; their pids, in the same order."""
    paths = config.paths
    for node in missing:
        ensure_port_free("127.0.0.1", node.port, f"Kafka broker {node.node_id}", "AKIBA_KAFKA_PORT")
        ensure_port_free(
            "127.0.0.1",
            node.controller_port,
            f"Kafka controller {node.node_id}",
            "AKIBA_KAFKA_CONTROLLER_PORT",
        )
    java = _jvm.check_java()
    paths.kafka_dir.mkdir(parents=True, exist_ok=True)
    _jvm.ensure_jars(paths.kafka_pom, paths.kafka_libs)
    size = brokers(config)
    for node in missing:
        node.home.mkdir(parents=True, exist_ok=True)
        text = render_server_properties(paths, config.ports, node.node_id, size)
        node.properties.write_text(text)
    # One cluster id, chosen before the nodes are formatted in parallel (a JVM start each):
    # each choosing its own would make them refuse one another's votes.
    cluster_id = _cluster_id(paths)
    _each(missing, lambda node: _format_once(java, paths, node, size, cluster_id))
    return [_spawn_detached(_node_command(java, paths, node, size), node) for node in missing]


def _node_command(java: str, paths: StackPaths, node: Node, size: int) -> list[str]:
    return [*_java_command(java, paths, node, size), "kafka.Kafka", str(node.properties)]


def _java_command(java: str, paths: StackPaths, node: Node, size: int) -> list[str]:
    heap = HEAP[size == 1]
    return [
        java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={paths.kafka_log4j2}",
        f"-Dkafka.logs.dir={node.home}",
        "-cp",
        f"{paths.kafka_libs}/*",
    ]


def _format_once(java: str, paths: StackPaths, node: Node, size: int, cluster_id: str) -> None:
    """Format a node's KRaft log dir on its first start only, with the state dir's cluster id."""
    if (node.data / "meta.properties").is_file():
        return
    tool = ["kafka.tools.StorageTool", "format", "-t", cluster_id]
    command = [*_java_command(java, paths, node, size), *tool, "-c", str(node.properties)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise KafkaStartError("Kafka StorageTool format failed", result.stdout + result.stderr)


def _cluster_id(paths: StackPaths) -> str:
    if paths.cluster_id_file.is_file():
        return paths.cluster_id_file.read_text().strip()
    cluster_id = "-"
    while cluster_id.startswith("-"):  # Kafka's own ids never start with '-' (CLI confusion)
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    paths.cluster_id_file.write_text(cluster_id + "\n")
    return cluster_id


def _spawn_detached(command: list[str], node: Node) -> int:
    """Start the JVM in its own session with output to kafka.out, outliving this process."""
    out_flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(node.stdout), out_flags, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    # posix_spawn rather than Popen: no Popen object to warn when it outlives us.
    return os.posix_spawn(command[0], command, os.environ, file_actions=actions, setsid=True)


def _wait_ready(config: StackConfig, cluster: list[Node], pids: dict[int, int | None]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        dead = [node for node in cluster if not pid_alive(pids[node.node_id])]
        if dead:
            what = "Kafka broker" if len(cluster) == 1 else f"Kafka node {dead[0].node_id}"
            raise KafkaStartError(f"{what} exited during start-up", _log_tails(dead[0]))
        if broker_answers(bootstrap(config), 2.0, len(cluster)):
            return
        time.sleep(0.2)
    raise KafkaStartError(
        f"Kafka did not become ready within {READY_TIMEOUT:.0f} s (pids {list(pids.values())})",
        "\n".join(_log_tails(node) for node in cluster),
    )


def _each(items: list[T], action: Callable[[T], object]) -> None:
    """Run `action` on every item at once; raise the first error after all are done."""
    if len(items) <= 1:
        for item in items:
            action(item)
        return
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        for future in [pool.submit(action, item) for item in items]:
            future.result()


def _log_tails(node: Node) -> str:
    texts = ((path, tail(path)) for path in (node.log, node.stdout))
    return "\n".join(f"--- {path}\n{text}" for path, text in texts if text)
