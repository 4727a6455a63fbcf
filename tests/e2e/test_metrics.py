"""Relay and projector processes expose their metrics in Prometheus format."""

from __future__ import annotations

import httpx

from akiba_devtools.testing import wait_until

from .conftest import Inventory, free_port


async def _metrics(port: int) -> str:
    async with httpx.AsyncClient() as c:
        try:
            return (await c.get(f"http://127.0.0.1:{port}/metrics")).text
        except httpx.TransportError:
            return ""


async def test_relay_and_projector_report_backlog_published_applied_and_lag(
    inventory: Inventory,
) -> None:
    relay_port, projector_port = free_port(), free_port()
    inventory.process("api")
    inventory.process("relay", AKIBA_METRICS_PORT=str(relay_port))
    inventory.process("project", AKIBA_METRICS_PORT=str(projector_port))
    await inventory.api_ready()
    for q in (5, 6, 7):
        assert (await inventory.receive(q)).status_code == 201

    async def projector_metrics() -> str:
        text = await _metrics(projector_port)
        return text if 'akiba_consumer_applied_total{consumer="inventory' in text else ""

    text = await wait_until(projector_metrics, what="the projector's applied counter")
    assert "akiba_consumer_lag{" in text
    relay = await wait_until(lambda: _metrics(relay_port), what="the relay's metrics")
    assert "akiba_outbox_published_total" in relay and "akiba_outbox_backlog" in relay
