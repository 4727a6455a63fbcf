"""Small helpers for plain ASGI middleware (no per-request objects, no extra task)."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope


def header(scope: Scope, name: bytes) -> str | None:
    """A request header's value (the first one), by its lower-case name."""
    for k, v in scope.get("headers", ()):
        if k == name:
            return str(v.decode("latin-1"))
    return None


async def read_body(receive: Receive) -> tuple[bytes | None, list[Message]]:
    """The whole body (None if the client went away), and the messages read to get it."""
    read = [await receive()]
    while read[-1]["type"] == "http.request" and read[-1].get("more_body", False):
        read.append(await receive())
    if read[-1]["type"] != "http.request":
        return None, read
    return b"".join(m.get("body", b"") for m in read), read


def replaying(read: list[Message], receive: Receive) -> Receive:
    """A receive that hands back the messages already read, then carries on."""
    pending = list(read)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
