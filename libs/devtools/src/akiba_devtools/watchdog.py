"""`python -m akiba_devtools.watchdog`: cleans up after `akiba run` if it dies without doing so.

It reads lines from stdin, a pipe only its parent holds: `child <pid>` for each process the
parent started, `stack <components>` for the stack components it started, `done` when the
parent has cleaned up itself. End of input without `done` means the parent died (even by
SIGKILL): the watchdog stops the children's process groups, then the stack components.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Iterable

from akiba_devtools import stack
from akiba_devtools.stack.state import StackConfig

GRACE = 20.0
log = logging.getLogger("akiba.watchdog")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def stop_groups(pids: Iterable[int], grace: float = GRACE) -> None:
    """SIGTERM each process group, SIGKILL what is still there after `grace` seconds."""
    pids = list(pids)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def main() -> int:
    """Follow the parent's messages; clean up if it goes away without `done`."""
    for s in (signal.SIGINT, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    children: list[int] = []
    components: list[str] = []
    for line in sys.stdin:
        word, _, rest = line.strip().partition(" ")
        if word == "done":
            return 0
        if word == "child":
            children.append(int(rest))
        elif word == "stack":
            components = [c for c in rest.split(",") if c]
    stop_groups(children)
    if components:
        stack.down(StackConfig.from_env(), only=components)
    return 0


if __name__ == "__main__":
    sys.exit(main())
