"""An integrator's Java consumer (integrators/java) against a broker of the tests' own.

The broker is private so that "from the beginning" means exactly what these tests produced
(the shared broker's topics hold every other test's events, deliberately broken ones
included), and so that it can authenticate as a deployment does: SASL/SCRAM-SHA-512 with
ACLs for the integrator, beside a PLAINTEXT listener on the loopback whose callers are the
super user (the services and the tests' own producers), as in docker-compose.yml.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from akiba_devtools.stack import StackConfig, StackEndpoints
from akiba_devtools.stack._jvm import check_java, ensure_jars
from akiba_devtools.stack.kafka import broker_answers

ROOT = Path(__file__).resolve().parents[2]
JAR = ROOT / "integrators" / "java" / "target" / "akiba-event-check.jar"
CONTRACTS = ROOT / "contracts"
GRANT_READ = Path(__file__).with_name("GrantRead.java")
INTEGRATOR = "integrator"
HOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Broker:
    """The private broker's two client listeners and its classpath."""

    plaintext: str
    sasl: str
    libs: Path
    java: str
    password: str

    def client_properties(self, workdir: Path, password: str | None = None) -> Path:
        """A Kafka client properties file signing in as the integrator."""
        path = workdir / f"integrator-{uuid.uuid4().hex[:6]}.properties"
        path.write_text(
            "security.protocol=SASL_PLAINTEXT\n"
            "sasl.mechanism=SCRAM-SHA-512\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
            f' username="{INTEGRATOR}" password="{password or self.password}";\n'
        )
        return path

    async def grant_read(self, *topics: str) -> None:
        """Read on these topics for the integrator, as an operator grants it."""
        command = [self.java, "-cp", f"{self.libs}/*", str(GRANT_READ), self.plaintext]
        command += [INTEGRATOR, *topics]
        done = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


@dataclass(frozen=True)
class Check:
    """One run of the Java consumer: its exit status, what it printed and its JSON report."""

    status: int
    output: str
    report: dict[str, Any]


@dataclass(frozen=True)
class EventCheck:
    """Runs `java -jar akiba-event-check.jar` against the private broker."""

    broker: Broker
    workdir: Path

    @property
    def bootstrap(self) -> str:
        """Where the tests produce (the super user's listener)."""
        return self.broker.plaintext

    async def run(self, *topics: str, min_events: int = 1, config: Path | None = None) -> Check:
        """Read the topics from their beginning and report; never raises on a failed check.

        With `config` (client properties), it signs in on the SASL listener with them."""
        report = self.workdir / f"report-{uuid.uuid4().hex[:6]}.json"
        bootstrap = self.broker.sasl if config else self.broker.plaintext
        command = ["java", "-jar", str(JAR), "--bootstrap", bootstrap]
        command += ["--contracts", str(CONTRACTS), "--min-events", str(min_events)]
        command += ["--timeout-seconds", "60", "--report", str(report)]
        if config:
            command += ["--consumer-config", str(config)]
        for topic in topics:
            command += ["--topic", topic]
        done = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, timeout=180, check=False
        )
        found = json.loads(report.read_text()) if report.is_file() else {}
        return Check(done.returncode, done.stdout + done.stderr, found)


@pytest.fixture(scope="session")
def event_check_jar() -> Path:
    """The consumer's jar, which `make integrator-test` builds before the tests."""
    if not JAR.is_file():
        pytest.fail(f"{JAR} is missing: `make integrator-test` builds it with Maven")
    return JAR


@pytest.fixture(scope="session")
def private_broker(
    stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Broker]:
    """A one-node KRaft broker from the stack's jars, with SCRAM and ACLs; stopped after."""
    workdir = tmp_path_factory.mktemp("broker")
    paths = StackConfig.from_env().paths
    ensure_jars(paths.kafka_pom, paths.kafka_libs)
    java = check_java()
    ports = {name: free_port() for name in ("plaintext", "sasl", "controller")}
    password = uuid.uuid4().hex
    properties = workdir / "server.properties"
    properties.write_text(_server_properties(workdir / "data", ports))
    jvm = [java, "-Xms512m", "-Xmx512m", f"-Dlog4j2.configurationFile={paths.kafka_log4j2}"]
    jvm += [f"-Dkafka.logs.dir={workdir}", "-cp", f"{paths.kafka_libs}/*"]
    cluster = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=").lstrip("-")
    scram = f"SCRAM-SHA-512=[name={INTEGRATOR},password={password}]"
    fmt = ["kafka.tools.StorageTool", "format", "-t", cluster, "-c", str(properties)]
    formatted = subprocess.run(
        [*jvm, *fmt, "--add-scram", scram], capture_output=True, text=True, check=False
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    with (workdir / "kafka.out").open("ab") as out:
        proc = subprocess.Popen(
            [*jvm, "kafka.Kafka", str(properties)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        plaintext = f"{HOST}:{ports['plaintext']}"
        deadline = time.monotonic() + 120
        while not broker_answers(plaintext, timeout=2.0):
            assert proc.poll() is None, (workdir / "kafka.out").read_text()[-4000:]
            assert time.monotonic() < deadline, f"the private broker did not answer; see {workdir}"
            time.sleep(0.2)
        yield Broker(plaintext, f"{HOST}:{ports['sasl']}", paths.kafka_libs, java, password)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _server_properties(data: Path, ports: dict[str, int]) -> str:
    plaintext, sasl, controller = ports["plaintext"], ports["sasl"], ports["controller"]
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{controller}",
        "listeners": (
            f"PLAINTEXT://{HOST}:{plaintext},SASL_PLAINTEXT://{HOST}:{sasl},"
            f"CONTROLLER://{HOST}:{controller}"
        ),
        "advertised.listeners": f"PLAINTEXT://{HOST}:{plaintext},SASL_PLAINTEXT://{HOST}:{sasl}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": (
            "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"
        ),
        "sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        ),
        # As in docker-compose.yml: nothing is allowed that no ACL allows, and the
        # unauthenticated callers of the loopback PLAINTEXT listeners are the super user.
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": "User:ANONYMOUS",
        "log.dirs": str(data),
        "num.partitions": "3",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


@pytest.fixture
def event_check(event_check_jar: Path, private_broker: Broker, tmp_path: Path) -> EventCheck:
    """The Java consumer, pointed at the private broker."""
    return EventCheck(private_broker, tmp_path)


@pytest.fixture
def integrator(private_broker: Broker, tmp_path: Path) -> Path:
    """Client properties signing in as the integrator's read-only principal."""
    return private_broker.client_properties(tmp_path)
