"""How fast the machine is at what the services do most, measured at the start and the end
of a run, so figures from different machines (or a machine that slowed down) can be compared.

A service's request, statement and fetch is a round trip over loopback TCP: its cost is a
`send`, a wake-up of the other process and a `recv`, and on a virtual machine that cost moves
from minute to minute and with the load: 10.5 to 28.6 µs of CPU a side on one idle 2-core box
within half an hour, 3.7 µs while other work kept both cores busy (waking an idle virtual CPU
is most of it).
The ping-pong runs between this process and a child echoing 32-byte messages with Nagle off;
the CPU is this thread's own. A plain Python loop stands for the interpreter's speed.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time

_ECHO = """
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while (data := s.recv(64)):
    s.sendall(data)
"""


def loopback(round_trips: int = 20_000) -> tuple[float, float]:
    """A TCP round trip on loopback: (µs wall, µs of this side's CPU)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        echo = subprocess.Popen([sys.executable, "-c", _ECHO, str(server.getsockname()[1])])
        conn, _ = server.accept()
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        message = b"x" * 32
        for _ in range(100):  # warm both ends up
            conn.sendall(message)
            conn.recv(64)
        wall, cpu = time.perf_counter(), time.thread_time()
        for _ in range(round_trips):
            conn.sendall(message)
            conn.recv(64)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    echo.wait(timeout=10)
    return wall / round_trips * 1e6, cpu / round_trips * 1e6


def python_loop(n: int = 10_000_000) -> float:
    """Seconds for a loop of n additions."""
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - started


def speed(round_trips: int = 20_000) -> dict[str, float]:
    """The machine's figures, as the report prints them."""
    wall, cpu = loopback(round_trips)
    return {
        "loopback TCP round trip µs (wall)": round(wall, 1),
        "loopback TCP round trip µs of CPU, one side": round(cpu, 1),
        "Python loop of 10M additions s": round(python_loop(), 3),
    }


def both(start: dict[str, float], end: dict[str, float]) -> dict[str, float]:
    """The start's and the end's figures side by side."""
    return {f"{k}: {when}": v[k] for when, v in (("start", start), ("end", end)) for k in v}
