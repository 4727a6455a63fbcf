"""The real Apache Kafka broker (KRaft, one combined node) run from Maven Central jars."""

from __future__ import annotations

import base64
import os
import subprocess
import time
import uuid

from aiokafka.admin import AIOKafkaAdminClient  # type: ignore[import-untyped,unused-ignore]
from aiokafka.errors import KafkaError  # type: ignore[import-untyped,unused-ignore]

from akiba_devtools.stack import _jvm
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
from akiba_devtools.stack.errors import ExternalServiceError, KafkaStartError
from akiba_devtools.stack.state import (
    HOST,
    ComponentStatus,
    Ports,
    StackConfig,
    StackPaths,
    Started,
    read_records,
)

READY_TIMEOUT = 60.0
STOP_GRACE = 30.0
# A 2-core / 24 GB box: a fixed 1 GB heap, G1 with short pauses, die on OOM rather than limp.
JVM_OPTIONS = (
    "-Xms1g",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)


def bootstrap(config: StackConfig) -> str:
    """The bootstrap servers: external `AKIBA_KAFKA_BOOTSTRAP` or the local broker."""
    return config.external_kafka_bootstrap or f"{HOST}:{config.ports.kafka}"


def render_server_properties(paths: StackPaths, ports: Ports) -> str:
    """server.properties for one combined broker+controller node on 127.0.0.1."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        # A static voter set, so changing the controller port never strands the quorum.
        "controller.quorum.voters": f"1@{HOST}:{ports.controller}",
        "listeners": f"PLAINTEXT://{HOST}:{ports.kafka},CONTROLLER://{HOST}:{ports.controller}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{ports.kafka}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(paths.kafka_data),
        "num.partitions": "3",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "log.retention.hours": "168",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def up(config: StackConfig) -> Started:
    """Start the local broker (or check the external one) and wait until it answers."""
    began = time.monotonic()
    if config.external_kafka_bootstrap:
        if not broker_answers(config.external_kafka_bootstrap, timeout=10.0):
            servers = config.external_kafka_bootstrap
            raise ExternalServiceError(f"Kafka at {servers} does not answer")
        return _outcome(config, None, began)
    pid = running_pid(config.paths)
    if pid is not None and broker_answers(bootstrap(config), timeout=5.0):
        return _outcome(config, pid, began, already=True)
    if pid is not None:
        terminate(pid, "Kafka broker", STOP_GRACE)  # alive but not answering: restart it
    pid = _start(config)
    _wait_ready(config, pid)
    return _outcome(config, pid, began)


def _outcome(
    config: StackConfig, pid: int | None, began: float, *, already: bool = False
) -> Started:
    external = config.external_kafka_bootstrap is not None
    return Started("kafka", bootstrap(config), pid, external, already, time.monotonic() - began)


def down(config: StackConfig) -> bool:
    """SIGTERM the local broker, SIGKILL after 30 s; False when it was not running."""
    pid = None if config.external_kafka_bootstrap else running_pid(config.paths)
    if pid is None:
        return False
    terminate(pid, "Kafka broker", STOP_GRACE)
    return True


def status(config: StackConfig) -> ComponentStatus:
    """Report whether the broker runs and answers a metadata request."""
    external = config.external_kafka_bootstrap is not None
    pid = None if external else running_pid(config.paths)
    running = external or pid is not None
    healthy = running and broker_answers(bootstrap(config), timeout=5.0)
    detail = "metadata ok" if healthy else ("not answering" if running else "not running")
    return ComponentStatus("kafka", running, healthy, pid, bootstrap(config), external, detail)


def running_pid(paths: StackPaths) -> int | None:
    """Our broker's pid: from stack.json if still ours, else found by its server.properties."""
    marker = str(paths.server_properties)
    record = read_records(paths).get("kafka")
    if record and record.pid and pid_alive(record.pid) and cmdline_contains(record.pid, marker):
        return record.pid
    return find_pid_by_cmdline(marker)


def broker_answers(servers: str, timeout: float) -> bool:
    """Tell whether the cluster answers a metadata request with at least one broker."""
    host, _, port = servers.split(",")[0].rpartition(":")
    if not port.isdigit() or not port_answers(host or HOST, int(port), timeout=min(timeout, 1.0)):
        return False  # skip the client: it logs errors on every refused connection
    return run_sync(_describe_cluster(servers, timeout))


async def _describe_cluster(servers: str, seconds: float) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers, request_timeout_ms=int(seconds * 1000))
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await admin.close()


def _start(config: StackConfig) -> int:
    paths = config.paths
    ensure_port_free(HOST, config.ports.kafka, "Kafka broker", "AKIBA_KAFKA_PORT")
    controller = config.ports.controller
    ensure_port_free(HOST, controller, "Kafka controller", "AKIBA_KAFKA_CONTROLLER_PORT")
    java = _jvm.check_java()
    paths.kafka_dir.mkdir(parents=True, exist_ok=True)
    _jvm.ensure_jars(paths.kafka_pom, paths.kafka_libs)
    paths.server_properties.write_text(render_server_properties(paths, config.ports))
    _format_once(java, paths)
    command = [*_java_command(java, paths), "kafka.Kafka", str(paths.server_properties)]
    return _spawn_detached(command, paths)


def _java_command(java: str, paths: StackPaths) -> list[str]:
    return [
        java,
        *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={paths.kafka_log4j2}",
        f"-Dkafka.logs.dir={paths.kafka_dir}",
        "-cp",
        f"{paths.kafka_libs}/*",
    ]


def _format_once(java: str, paths: StackPaths) -> None:
    """Format the KRaft log dir on first start only, with the cluster id kept in the state dir."""
    if (paths.kafka_data / "meta.properties").is_file():
        return
    cluster_id = _cluster_id(paths)
    tool = ["kafka.tools.StorageTool", "format", "-t", cluster_id]
    command = [*_java_command(java, paths), *tool, "-c", str(paths.server_properties)]
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


def _spawn_detached(command: list[str], paths: StackPaths) -> int:
    """Start the JVM in its own session with output to kafka.out, outliving this process."""
    out_flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(paths.kafka_stdout), out_flags, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    # posix_spawn rather than Popen: no Popen object to warn when it outlives us.
    return os.posix_spawn(command[0], command, os.environ, file_actions=actions, setsid=True)


def _wait_ready(config: StackConfig, pid: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            raise KafkaStartError("Kafka broker exited during start-up", _log_tails(config.paths))
        if broker_answers(bootstrap(config), timeout=2.0):
            return
        time.sleep(0.2)
    raise KafkaStartError(
        f"Kafka broker did not become ready within {READY_TIMEOUT:.0f} s (pid {pid})",
        _log_tails(config.paths),
    )


def _log_tails(paths: StackPaths) -> str:
    texts = ((path, tail(path)) for path in (paths.kafka_log, paths.kafka_stdout))
    return "\n".join(f"--- {path}\n{text}" for path, text in texts if text)
