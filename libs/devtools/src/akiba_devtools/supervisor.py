"""Child processes that never outlive the process that started them, however it ends.

`akiba run` starts every service and a demo gateway. It must stop them all whatever ends it:
Ctrl-C, `kill`, a closed terminal, a closed stdout (`akiba run | tee run.log`, then the reader
goes away), and even SIGKILL, which leaves it no chance to clean up. So:

- each child gets its own process group (so the terminal's Ctrl-C reaches only us, and we
  stop the children in order) and, on Linux, a parent-death signal: the kernel sends it
  SIGTERM the moment its parent dies, for whatever reason;
- SIGINT, SIGTERM and SIGHUP all become one `Stopped`; repeats are ignored while cleaning up;
- writes to stdout survive a closed pipe, and a pipe whose reader left counts as a stop;
- a watchdog process (`akiba_devtools.watchdog`) learns every child's pid over a pipe only we
  hold; if we die without saying "done", it stops the children and the stack we started.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import select
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(Exception):
    """A signal or a closed stdout asked us to stop."""


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    prctl: Callable[..., int] = libc.prctl
    return prctl


def die_with_parent(parent: int) -> Callable[[], None]:
    """A `preexec_fn`: own process group, and SIGTERM from the kernel when `parent` dies."""
    prctl = _prctl()

    def preexec() -> None:
        os.setpgid(0, 0)
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


class Children:
    """Processes started in their own groups, stopped together (SIGTERM, then SIGKILL)."""

    def __init__(self, on_start: Callable[[int], None] | None = None) -> None:
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._on_start = on_start

    def start(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], log: Path
    ) -> subprocess.Popen[bytes]:
        """Start `argv` with output appended to `log`; it dies when we do."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # preexec_fn is unsafe only with other threads forking at the same time;
                # children are started from the main thread alone.
                preexec_fn=die_with_parent(os.getpid()),
            )
        self.procs[name] = proc
        if self._on_start is not None:
            self._on_start(proc.pid)
        return proc

    def run(self, name: str, argv: Sequence[str], env: Mapping[str, str], log: Path) -> int:
        """Run `argv` to its end as a child (stopped with the others meanwhile); its exit code."""
        key = f"{name} (one-off)"
        code = self.start(key, argv, env, log).wait()
        del self.procs[key]
        return code

    def exited(self) -> list[str]:
        """Names of children that are no longer running."""
        return [name for name, p in self.procs.items() if p.poll() is not None]

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM every child's group, wait up to `grace` seconds, then SIGKILL what is left."""
        for proc in self.procs.values():
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.0, deadline - time.monotonic()))
        for proc in self.procs.values():
            _signal_group(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into one `Stopped`; later ones are ignored."""
    raised = False

    def handle(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise Stopped(signal.Signals(signum).name)

    previous = {s: signal.signal(s, handle) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        # Ctrl-C often arrives twice (the terminal and `uv run` forwarding it): the second
        # must not cut the clean-up short.
        for s in previous:
            signal.signal(s, signal.SIG_IGN)


def say(text: str, stream: IO[str] | None = None) -> None:
    """Print a line; if stdout's reader has gone, carry on silently (and stay silent)."""
    out = stream or sys.stdout
    try:
        print(text, file=out, flush=True)
    except (BrokenPipeError, ValueError):
        _silence(out)


def _silence(out: IO[str]) -> None:
    # Point the descriptor at /dev/null so the interpreter's final flush cannot fail either.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        os.close(devnull)


def reader_gone(stream: IO[str] | None = None) -> bool:
    """Whether stdout is a pipe whose reader has closed it (Linux reports POLLERR)."""
    out = stream or sys.stdout
    try:
        fd = out.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
    except (OSError, ValueError):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


class Watchdog:
    """A separate process that cleans up after us if we die without saying "done"."""

    def __init__(self, args: Sequence[str] = ()) -> None:
        read, self._write = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "akiba_devtools.watchdog", *args],
            stdin=read,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # not in our group: the terminal's signals must spare it
        )
        os.close(read)
        os.set_inheritable(self._write, False)

    def child(self, pid: int) -> None:
        """Tell the watchdog about a child to stop if we die."""
        self._send(f"child {pid}\n")

    def stack(self, components: Sequence[str]) -> None:
        """Tell the watchdog which stack components we started (it stops them if we die)."""
        self._send(f"stack {','.join(components)}\n")

    def done(self) -> None:
        """We cleaned up ourselves: the watchdog leaves without doing anything."""
        self._send("done\n")
        with contextlib.suppress(OSError):
            os.close(self._write)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)

    def _send(self, line: str) -> None:
        with contextlib.suppress(OSError):
            os.write(self._write, line.encode())


def supervise(children: Children, tick: float = 0.5) -> int:
    """Wait until a child exits (1); a signal or stdout's reader going away raise `Stopped`."""
    while not (failed := children.exited()):
        if reader_gone():
            raise Stopped("stdout closed")
        time.sleep(tick)
    say(f"stopped unexpectedly: {', '.join(failed)} (see the logs)", sys.stderr)
    return 1


def supervised(
    start: Callable[[Children, Watchdog], None],
    finish: Callable[[], None] = lambda: None,
    *,
    tick: float = 0.5,
    grace: float = 20.0,
) -> int:
    """Run `start`, then watch the children; whatever ends it, stop them all, then `finish`.

    Returns 0 when asked to stop, 1 when a child exited on its own.
    """
    with stop_signals():
        watchdog = Watchdog()
        children = Children(on_start=watchdog.child)
        try:
            start(children, watchdog)
            return supervise(children, tick)
        except Stopped:
            return 0
        finally:
            say("stopping…")
            children.stop(grace)
            finish()
            watchdog.done()
