"""Services as real OS processes, for tests where a process boundary matters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


class ServiceProcess:
    """`python -m <module> <args>` with its own environment and a log file."""

    def __init__(self, module: str, args: list[str], env: Mapping[str, str], log: Path) -> None:
        self.module = module
        self.args = args
        self.env = {**os.environ, **env}
        self.log = log
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        """Start it; output goes to the log file."""
        with self.log.open("ab") as out:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", self.module, *self.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int | None:
        """Its process id once started."""
        return None if self._proc is None else self._proc.pid

    @property
    def returncode(self) -> int | None:
        """Its exit code, or None while it runs."""
        return None if self._proc is None else self._proc.poll()

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM, then SIGKILL if it does not leave in time."""
        if self._proc is None or self._proc.poll() is not None:
            return self.returncode
        self._proc.send_signal(signal.SIGTERM)
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return self.kill()

    def kill(self) -> int | None:
        """SIGKILL: no clean-up, as a crash or power loss would leave it."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            return self._proc.wait(10)
        return self.returncode

    def wait(self, timeout: float) -> int:
        """Wait for it to exit on its own."""
        assert self._proc is not None
        return self._proc.wait(timeout)

    def output(self) -> str:
        """What it logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""
