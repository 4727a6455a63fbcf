"""Process and port helpers shared by the PostgreSQL and Kafka parts of the stack."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import os
import signal
import socket
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import psutil  # type: ignore[import-untyped,unused-ignore]  # add types-psutil to dev

from akiba_devtools.stack.errors import PortInUseError, StackStopError

T = TypeVar("T")


def port_is_free(host: str, port: int) -> bool:
    """Tell whether nothing listens on host:port (TIME_WAIT leftovers do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def port_owner(port: int) -> str | None:
    """Describe the process listening on `port`, if psutil is allowed to see it."""
    with contextlib.suppress(psutil.Error, OSError):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                return _describe(conn.pid) if conn.pid else None
    return None


def _describe(pid: int) -> str:
    try:
        proc = psutil.Process(pid)
        command = " ".join(" ".join(proc.cmdline()).split())[:80] or proc.name()
    except psutil.Error:
        return f"pid {pid}"
    return f"pid {pid}: {command}"


def ensure_port_free(host: str, port: int, purpose: str, env_var: str) -> None:
    """Raise PortInUseError naming the port (and its owner) when it is already taken."""
    if port_is_free(host, port):
        return
    owner = port_owner(port)
    by = f" by {owner}" if owner else " by another process"
    raise PortInUseError(
        f"port {port} ({purpose}) on {host} is already in use{by}; "
        f"stop it or choose another port with {env_var}"
    )


def port_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Tell whether a TCP connection to host:port succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int | None) -> bool:
    """Tell whether `pid` names a live (non-zombie) process."""
    if not pid:
        return False
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def cmdline_contains(pid: int, marker: str) -> bool:
    """Guard against pid reuse: the process's command line must mention `marker`."""
    try:
        return marker in " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return False


def find_pid_by_cmdline(marker: str) -> int | None:
    """Return the pid of a live process whose command line mentions `marker`."""
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if marker in " ".join(cmdline) and pid_alive(proc.info["pid"]):
            return int(proc.info["pid"])
    return None


def terminate(pid: int, name: str, grace: float = 30.0) -> None:
    """Send SIGTERM, wait up to `grace` seconds, then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if _wait_gone(pid, grace):
        _reap(pid)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if not _wait_gone(pid, 5.0):
        raise StackStopError(f"{name} (pid {pid}) did not stop even after SIGKILL")
    _reap(pid)


def _reap(pid: int) -> None:
    # If we spawned it (same Python process), collect the zombie.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return not pid_alive(pid)


def tail(path: Path, lines: int = 20) -> str:
    """Return the last `lines` lines of a text file ('' if it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 256 * lines))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion, even when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # A running loop (e.g. an async test) cannot be re-entered, so use a private one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
