"""An integrator's Java consumer (integrators/java) against a broker of the tests' own.

The broker is private so that "from the beginning" means exactly what these tests produced:
the shared broker's topics hold every other test's events, deliberately broken ones included.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from akiba_devtools import stack as local_stack
from akiba_devtools.stack import StackConfig, StackEndpoints

ROOT = Path(__file__).resolve().parents[2]
JAR = ROOT / "integrators" / "java" / "target" / "akiba-event-check.jar"
CONTRACTS = ROOT / "contracts"


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Check:
    """One run of the Java consumer: its exit status, what it printed and its JSON report."""

    status: int
    output: str
    report: dict[str, Any]


@dataclass(frozen=True)
class EventCheck:
    """Runs `java -jar akiba-event-check.jar` against one broker."""

    bootstrap: str
    workdir: Path

    async def run(self, *topics: str, min_events: int = 1) -> Check:
        """Read the topics from their beginning and report; never raises on a failed check."""
        report = self.workdir / f"report-{len(list(self.workdir.glob('report-*')))}.json"
        command = ["java", "-jar", str(JAR), "--bootstrap", self.bootstrap]
        command += ["--contracts", str(CONTRACTS), "--min-events", str(min_events)]
        command += ["--timeout-seconds", "60", "--report", str(report)]
        for topic in topics:
            command += ["--topic", topic]
        done = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, timeout=120, check=False
        )
        output = done.stdout + done.stderr
        found = json.loads(report.read_text()) if report.is_file() else {}
        return Check(done.returncode, output, found)


@pytest.fixture(scope="session")
def event_check_jar() -> Path:
    """The consumer's jar, which `make integrator-test` builds before the tests."""
    if not JAR.is_file():
        pytest.fail(f"{JAR} is missing: `make integrator-test` builds it with Maven")
    return JAR


@pytest.fixture(scope="session")
async def private_broker(
    stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A Kafka broker of these tests' own, from the shared stack's jars; stopped after."""
    workdir = tmp_path_factory.mktemp("broker")
    shared = StackConfig.from_env()
    config = StackConfig.from_env(
        {
            "AKIBA_STATE_DIR": str(workdir),
            "AKIBA_KAFKA_PORT": str(free_port()),
            "AKIBA_KAFKA_CONTROLLER_PORT": str(free_port()),
            "AKIBA_PG_URL": stack.pg_url,
        }
    )
    if shared.paths.kafka_libs.is_dir():
        config.paths.kafka_dir.mkdir(parents=True, exist_ok=True)
        config.paths.kafka_libs.symlink_to(shared.paths.kafka_libs)
    endpoints = await asyncio.to_thread(local_stack.up, config)
    try:
        yield endpoints.kafka_bootstrap
    finally:
        await asyncio.to_thread(local_stack.down, config)


@pytest.fixture
def event_check(event_check_jar: Path, private_broker: str, tmp_path: Path) -> EventCheck:
    """The Java consumer, pointed at the private broker."""
    return EventCheck(private_broker, tmp_path)
