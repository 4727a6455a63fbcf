"""The demo site `akiba run` starts: the gateway of auth's demo site (Kibera Health Centre)."""

from __future__ import annotations

from akiba_platform import SiteSpec, demo_id

# The same deterministic id and default secret auth's seed-demo registers the site with.
DEMO_SITE = SiteSpec(
    name="site-demo",
    module="akiba_sync_gateway",
    http_port=8110,
    env={
        "AKIBA_GATEWAY_SITE_ID": str(demo_id("site", "SITE-HF-0001")),
        "AKIBA_GATEWAY_SITE_SECRET": "akiba-demo-site-secret",
        "AKIBA_GATEWAY_DATABASE_PATH": "{state}/site-demo.sqlite3",
        "AKIBA_GATEWAY_HUB_URL": "http://127.0.0.1:8105",
        "AKIBA_GATEWAY_AUTH_URL": "http://127.0.0.1:8104",
        "AKIBA_GATEWAY_HTTP_PORT": "8110",
        # Central runs on this machine over plain http: a lab, not a real site's link.
        "AKIBA_GATEWAY_INSECURE_LINK": "1",
        # A demo: once its store is handed over, four months of history are recorded there.
        "AKIBA_DEMO": "1",
    },
)
