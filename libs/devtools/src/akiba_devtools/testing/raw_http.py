"""A client that gives up: one request over a raw socket, closed before any answer is read."""

from __future__ import annotations

import asyncio


async def post_and_hang_up(port: int, path: str, headers: dict[str, str], body: bytes) -> None:
    """Send a JSON POST on its own connection and close it at once, as a timed-out client does."""
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    head = {"host": "akiba", "content-type": "application/json", **headers}
    head["content-length"] = str(len(body))
    lines = [f"POST {path} HTTP/1.1", *(f"{k}: {v}" for k, v in head.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    writer.close()
    await writer.wait_closed()
