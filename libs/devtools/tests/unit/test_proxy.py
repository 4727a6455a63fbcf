"""The test-controlled TCP proxy relays, refuses when cut, and cuts in the middle of a transfer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from akiba_devtools.testing.proxy import TcpProxy


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    """A proxy in front of an echo server."""

    async def echo(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
        w.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    relay = TcpProxy("127.0.0.1", server.sockets[0].getsockname()[1]).start()
    yield relay
    relay.stop()
    server.close()
    await server.wait_closed()


async def _roundtrip(port: int, payload: bytes) -> bytes:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    try:
        w.write(payload)
        await w.drain()
        return await asyncio.wait_for(r.readexactly(len(payload)), 5)
    finally:
        w.close()


async def test_bytes_go_through_until_the_link_is_cut_and_again_once_it_is_restored(
    proxy: TcpProxy,
) -> None:
    assert await _roundtrip(proxy.port, b"hello") == b"hello"
    proxy.cut()
    with pytest.raises(OSError):
        await _roundtrip(proxy.port, b"refused")
    proxy.restore()
    assert await _roundtrip(proxy.port, b"again") == b"again"


async def test_a_cut_drops_connections_that_are_already_open(proxy: TcpProxy) -> None:
    r, w = await asyncio.open_connection("127.0.0.1", proxy.port)
    w.write(b"x")
    await w.drain()
    assert await r.readexactly(1) == b"x"
    proxy.cut()
    assert await asyncio.wait_for(r.read(), 5) == b""  # the peer went away
    w.close()


async def test_a_transfer_is_cut_part_way_and_the_link_then_works_again(proxy: TcpProxy) -> None:
    proxy.cut_after(1000, "up")
    with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
        await _roundtrip(proxy.port, b"y" * 5000)
    assert proxy.tripped and proxy.bytes["up"] == 1000
    assert await _roundtrip(proxy.port, b"after") == b"after"
