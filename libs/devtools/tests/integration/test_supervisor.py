"""Nothing `akiba run` starts outlives it, however it ends: real processes, tiny children.

A driver runs the same `supervised` loop `akiba run` runs, with three sleeping children
instead of the services, and prints their pids. Each test ends the driver one way and checks
that every child is gone within seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

DRIVER = """
import sys
from pathlib import Path
from akiba_devtools.supervisor import say, supervised

log = Path(sys.argv[1])
sleeper = [sys.executable, "-c", "import time; time.sleep(300)"]

def start(children, watchdog):
    for n in range(3):
        children.start(f"child-{n}", sleeper, {}, log)
    pids = [p.pid for p in children.procs.values()]
    say("ready " + " ".join(map(str, pids)) + f" watchdog {watchdog.proc.pid}")

sys.exit(supervised(start, tick=0.05, grace=5))
"""


@dataclass
class Driver:
    """The driver process, its children's pids and its watchdog's."""

    proc: subprocess.Popen[bytes]
    children: list[int]
    watchdog: int


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _all_gone(pids: list[int], within: float = 10.0) -> list[int]:
    """The pids still alive after `within` seconds (empty when all are gone)."""
    deadline = time.monotonic() + within
    while (alive := [p for p in pids if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Driver]:
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(tmp_path / "children.log")],
        stdout=subprocess.PIPE,
        start_new_session=True,  # as a terminal's foreground job: signals go to its group
    )
    assert proc.stdout is not None
    words = proc.stdout.readline().decode().split()
    assert words[0] == "ready", words
    started = Driver(proc, [int(w) for w in words[1:4]], int(words[5]))
    yield started
    for pid in [*started.children, started.watchdog, proc.pid]:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    proc.wait(5)
    proc.stdout.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_stops_every_child_and_the_run_ends_cleanly(
    driver: Driver, signum: signal.Signals
) -> None:
    os.kill(driver.proc.pid, signum)
    assert driver.proc.wait(10) == 0
    assert _all_gone(driver.children) == []
    assert _all_gone([driver.watchdog]) == []


def test_ctrl_c_to_the_whole_job_stops_every_child(driver: Driver) -> None:
    os.killpg(driver.proc.pid, signal.SIGINT)
    assert driver.proc.wait(10) == 0
    assert _all_gone(driver.children) == []


def test_stdout_closed_by_its_reader_stops_every_child(driver: Driver) -> None:
    assert driver.proc.stdout is not None
    driver.proc.stdout.close()
    assert driver.proc.wait(10) == 0
    assert _all_gone(driver.children) == []


def test_a_closed_stdout_does_not_cut_the_clean_up_short(driver: Driver) -> None:
    assert driver.proc.stdout is not None
    driver.proc.stdout.close()  # the reader left: the goodbye line cannot be written…
    os.killpg(driver.proc.pid, signal.SIGINT)  # …when Ctrl-C reaches `akiba run | tee`
    assert driver.proc.wait(10) == 0
    assert _all_gone(driver.children) == []


def test_children_die_with_the_run_even_when_it_is_killed(driver: Driver) -> None:
    os.kill(driver.proc.pid, signal.SIGKILL)
    driver.proc.wait(5)
    assert _all_gone(driver.children) == []
    assert _all_gone([driver.watchdog]) == []


def test_a_child_that_exits_on_its_own_ends_the_run_and_stops_the_others(
    driver: Driver,
) -> None:
    os.kill(driver.children[0], signal.SIGKILL)
    assert driver.proc.wait(10) == 1
    assert _all_gone(driver.children) == []


def test_the_watchdog_stops_the_children_of_a_parent_that_died_without_a_word() -> None:
    orphan = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)"], start_new_session=True
    )
    watchdog = subprocess.Popen(
        [sys.executable, "-m", "akiba_devtools.watchdog"], stdin=subprocess.PIPE
    )
    assert watchdog.stdin is not None
    watchdog.stdin.write(f"child {orphan.pid}\n".encode())
    watchdog.stdin.close()  # the parent's end of the pipe closes when it dies, however
    assert watchdog.wait(30) == 0
    assert orphan.wait(5) == -signal.SIGTERM


def test_the_watchdog_leaves_alone_the_children_of_a_parent_that_said_done() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)"], start_new_session=True
    )
    watchdog = subprocess.Popen(
        [sys.executable, "-m", "akiba_devtools.watchdog"], stdin=subprocess.PIPE
    )
    assert watchdog.stdin is not None
    watchdog.stdin.write(f"child {child.pid}\ndone\n".encode())
    watchdog.stdin.close()
    assert watchdog.wait(30) == 0
    assert child.poll() is None
    child.kill()
    child.wait(5)
