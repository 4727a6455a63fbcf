"""`uv run akiba run --instances 2`: two processes of every service, each named, every API
instance answering on the URL printed for it; Ctrl-C stops them all.

On a stack of its own (own state folder, PostgreSQL and Kafka ports), as
tests/e2e/test_akiba_run.py runs `akiba run`, so the shared stack is never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

from akiba_devtools.devrun import plan
from akiba_devtools.discovery import discover, discover_apps, discover_sites
from akiba_devtools.scale import Scale
from tests.e2e.test_akiba_run import (
    READY,
    _port_taken,
    _started_by,
    _wait_for,
    private_stack_env,
)


def _ready(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    return False


def _instance_names(state: Path) -> set[str]:
    names = set()
    for proc in _started_by(state):
        try:
            names.add(proc.environ().get("AKIBA_INSTANCE_NAME", ""))
        except psutil.Error:
            continue
    return names - {""}


@pytest.mark.stack
def test_two_instances_of_every_service_answer_where_printed_and_stop_on_ctrl_c(
    tmp_path: Path,
) -> None:
    planned = [p for ps in plan(discover(), Scale.parse(["2"])).values() for p in ps]
    ports = [p.http_port for p in planned if p.http_port]
    ports += [s.http_port for s in (*discover_sites(), *discover_apps())]
    if any(_port_taken(p) for p in ports):
        pytest.skip(f"a port among {ports} is taken (another `make run` here?)")
    state = tmp_path / "state"
    env = private_stack_env(state)
    log = tmp_path / "run.log"
    uv = shutil.which("uv") or "uv"
    job = subprocess.Popen(
        ["bash", "-c", f"{uv} run akiba run --instances 2 | tee {log}"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(log, READY, job, timeout=300)
        printed = log.read_text()
        deadline = time.monotonic() + 120
        for p in planned:
            assert p.url is not None
            assert f"{p.url}/docs" in printed, p.name
            assert _ready(p.url, deadline), f"{p.name} at {p.url}"
        assert _instance_names(state) == {p.name for p in planned}
        running = _started_by(state)
        os.killpg(job.pid, signal.SIGINT)
        job.wait(90)
        _, alive = psutil.wait_procs(running, timeout=60)
        assert [p.pid for p in alive] == []
    finally:
        for proc in _started_by(state):
            proc.kill()
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait(10)
