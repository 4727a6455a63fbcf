"""`uv run akiba run | tee run.log`, then Ctrl-C or a closed terminal: nothing is left running.

The real command on a stack of its own (own state folder, own PostgreSQL and Kafka ports),
so the shared stack is never touched. Ctrl-C is SIGINT to the whole job, as a terminal sends
it (`tee` dies with it, so `akiba run` cleans up with its stdout gone); a closed terminal is
SIGHUP to the job. Ctrl-C also comes while services are still starting.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from akiba_devtools.discovery import discover, discover_apps, discover_sites
from akiba_devtools.stack.state import StackConfig
from tests.e2e.conftest import free_port

READY = "Ctrl-C stops everything."


def private_stack_env(state: Path) -> dict[str, str]:
    """The environment of an `akiba run` on a stack of its own, in `state`, on free ports."""
    shared = StackConfig.from_env().paths.kafka_libs
    if shared.is_dir():  # the broker's jars, without asking Maven again
        (state / "kafka").mkdir(parents=True)
        (state / "kafka" / "libs").symlink_to(shared)
    env = {
        **os.environ,
        "AKIBA_STATE_DIR": str(state),
        "AKIBA_PG_PORT": str(free_port()),
        "AKIBA_KAFKA_PORT": str(free_port()),
        "AKIBA_KAFKA_CONTROLLER_PORT": str(free_port()),
    }
    env.pop("AKIBA_PG_URL", None)
    env.pop("AKIBA_KAFKA_BOOTSTRAP", None)
    return env


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _started_by(state_dir: Path) -> list[psutil.Process]:
    """Processes of this run: they name its state folder in their command line or environment."""
    mark = str(state_dir)
    found = []
    for proc in psutil.process_iter():
        try:
            if mark in " ".join(proc.cmdline()) or proc.environ().get("AKIBA_STATE_DIR") == mark:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _wait_until_serving_starts(state: Path, job: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 240
    while not _services_starting(state):
        assert job.poll() is None and time.monotonic() < deadline, "no service started"
        time.sleep(0.05)


def _wait_for(log: Path, text: str, job: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in (log.read_text(errors="replace") if log.exists() else ""):
        assert job.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, f"no {text!r} after {timeout} s"
        time.sleep(0.2)


def _services_starting(state: Path) -> bool:
    return any("serve" in p.cmdline() for p in _started_by(state) if _cmdline_ok(p))


def _cmdline_ok(proc: psutil.Process) -> bool:
    try:
        proc.cmdline()
        return True
    except psutil.Error:
        return False


@pytest.mark.stack
@pytest.mark.parametrize(
    ("signum", "when"),
    [(signal.SIGINT, "running"), (signal.SIGINT, "starting"), (signal.SIGHUP, "running")],
    ids=["ctrl-c", "ctrl-c-while-starting", "terminal-closed"],
)
def test_akiba_run_piped_to_tee_leaves_nothing_running_when_stopped(
    tmp_path: Path, signum: signal.Signals, when: str
) -> None:
    ports = [s.http_port for s in (*discover(), *discover_sites(), *discover_apps())]
    if any(_port_taken(p) for p in ports):
        pytest.skip(f"a service port among {ports} is taken (another `make run` here?)")
    state = tmp_path / "state"
    env = {**private_stack_env(state), "AKIBA_DEMO": "1"}
    log = tmp_path / "run.log"
    uv = shutil.which("uv") or "uv"
    job = subprocess.Popen(
        ["bash", "-c", f"{uv} run akiba run | tee {log}"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # its own job, as in a terminal
    )
    try:
        if when == "starting":
            _wait_until_serving_starts(state, job)
        else:
            _wait_for(log, READY, job, timeout=240)
            assert len(_started_by(state)) >= len(ports) + 2  # services, gateway, web, PG, Kafka
        running = _started_by(state)
        os.killpg(job.pid, signum)
        job.wait(90)
        _, alive = psutil.wait_procs(running, timeout=60)
        assert [p.pid for p in alive] == []
        assert _started_by(state) == []
    finally:
        for proc in _started_by(state):
            proc.kill()
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait(10)
