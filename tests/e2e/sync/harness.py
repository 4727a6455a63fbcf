"""Central and sites as real processes: auth, inventory, the sync hub and site gateways.

Central is started once (its processes on fresh databases of the session stack); each test
makes its own sites, stores, items and users through the real admin APIs, so tests never
see each other's data even though they share the processes and the topics.
Gateways reach central through TcpProxy links the test can cut.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from akiba_auth.admin import assign_as_operator, create_admin
from akiba_auth.bootstrap import MIGRATIONS as AUTH_MIGRATIONS
from akiba_auth.domain.model import Scope
from akiba_auth.settings import Settings as AuthSettings
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.groups import start_groups_at_end
from akiba_devtools.testing.plugin import Databases
from akiba_devtools.testing.proxy import TcpProxy
from akiba_fulfillment.bootstrap import MIGRATIONS as FULFILLMENT_MIGRATIONS
from akiba_fulfillment.consumers import orders as fulfillment_orders
from akiba_fulfillment.consumers import sites as fulfillment_sites
from akiba_fulfillment.consumers import stock as fulfillment_stock
from akiba_inventory.bootstrap import MIGRATIONS as INVENTORY_MIGRATIONS
from akiba_inventory.consumers import alerting, edge, projector, shipments
from akiba_requisition.bootstrap import MIGRATIONS as REQUISITION_MIGRATIONS
from akiba_requisition.consumers import read_models as requisition_read_models
from akiba_stock.commands import ReceiveStock
from akiba_sync_gateway import handlers
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_hub import feed as hub_feed
from akiba_sync_hub.bootstrap import MIGRATIONS as HUB_MIGRATIONS

REQUISITION_GROUPS = (requisition_read_models.NAME, "requisition.site-steps")
FULFILLMENT_GROUPS = (
    fulfillment_orders.NAME, fulfillment_stock.NAME, fulfillment_sites.NAME, shipments.NAME,
)  # fmt: skip
ADMIN_PASSWORD = "an-admin-password-for-sync-e2e"
USER_PASSWORD = "a-site-clerk-password"
CHEAP_ARGON2 = {"AKIBA_ARGON2_MEMORY_KIB": "8192", "AKIBA_ARGON2_TIME_COST": "1"}
SITE_RIGHTS = [
    "STOCK_ADJUST", "STOCK_CARDS_VIEW", "STOCK_INVENTORIES_EDIT",
    "REQUISITION_CREATE", "REQUISITION_AUTHORIZE", "REQUISITION_VIEW", "REQUISITION_DELETE",
    "PODS_MANAGE", "PODS_VIEW",
]  # fmt: skip


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _ready(url: str) -> bool:
    async with httpx.AsyncClient() as c:
        try:
            return (await c.get(f"{url}/ready")).status_code == 200
        except httpx.TransportError:
            return False


async def started(proc: ServiceProcess, timeout: float = 60) -> None:
    """Wait until a process says its roles run; fail with its log if it died."""
    await wait_until(
        lambda: '"msg":"started"' in proc.output() or proc.returncode is not None,
        what=f"{proc.module} {proc.args} to start",
        timeout=timeout,
    )
    assert proc.returncode is None, proc.output()[-3000:]


@dataclass
class Site:
    """A site registered at auth, its stores at inventory, a clerk per store."""

    site_id: UUID
    secret: str
    store_ids: list[UUID]
    item_id: UUID
    reason_id: UUID
    clerks: dict[UUID, str]  # store → username (password USER_PASSWORD)


@dataclass
class Central:
    """auth (api, relay), inventory (api+relay, ingest), hub (api, feed), each an OS process;
    with `requisition`, the requisition service too (api+relay, read-models, sites); with
    `fulfillment`, fulfillment (api+relay, orders, stock, sites) and inventory's shipments
    role."""

    bootstrap: str
    workdir: Path
    requisition: bool = False
    fulfillment: bool = False
    # The web app's needs: inventory's projection (stock on hand), its alerts, the web process.
    web: bool = False
    # Processes of inventory's edge ingest: one group, the partitions (stores) split among them.
    ingest_instances: int = 1
    dsn: dict[str, str] = field(default_factory=dict)
    port: dict[str, int] = field(default_factory=dict)
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    _token: tuple[str, float] = ("", 0.0)
    _shared: dict[str, UUID] = field(default_factory=dict)
    _role_name: str = ""

    def url(self, service: str) -> str:
        """Where a service's API answers."""
        return f"http://127.0.0.1:{self.port[service]}"

    async def start(
        self,
        databases: Databases,
        extra_env: dict[str, str] | None = None,
        env_of: dict[str, dict[str, str]] | None = None,
    ) -> None:
        """Fresh databases, the first administrator, then every process; ready when this returns.

        `env_of` adds settings to one process, named "service:roles" (e.g. "hub:api")."""
        self.dsn = {
            "auth": await databases.create({"auth": AUTH_MIGRATIONS}),
            "inventory": await databases.create({"inventory": INVENTORY_MIGRATIONS}),
            "hub": await databases.create({"sync-hub": HUB_MIGRATIONS}),
        }
        services = ["auth", "inventory", "hub"]
        if self.requisition:
            self.dsn["requisition"] = await databases.create(
                {"requisition": REQUISITION_MIGRATIONS}
            )
            services.append("requisition")
        if self.fulfillment:
            self.dsn["fulfillment"] = await databases.create(
                {"fulfillment": FULFILLMENT_MIGRATIONS}
            )
            services.append("fulfillment")
        self.port = {s: free_port() for s in services}
        groups = f"t{uuid.uuid4().hex[:8]}-"  # never another deployment's consumer groups
        consumers = (edge.NAME, projector.NAME, alerting.NAME, hub_feed.NAME, *REQUISITION_GROUPS,
                     *FULFILLMENT_GROUPS)  # fmt: skip
        await start_groups_at_end(self.bootstrap, [groups + c for c in consumers])
        settings = AuthSettings(database_url=self.dsn["auth"], argon2_memory_kib=8192)
        await create_admin(settings, "sync-admin", ADMIN_PASSWORD)
        plan = [
            ("auth", "akiba_auth", "api,relay"),
            ("inventory", "akiba_inventory", "api,relay"),
            *[("inventory", "akiba_inventory", "ingest")] * self.ingest_instances,
            ("hub", "akiba_sync_hub", "api"),
            ("hub", "akiba_sync_hub", "feed"),
        ]
        if self.requisition:
            plan += [
                ("requisition", "akiba_requisition", "api,relay"),
                ("requisition", "akiba_requisition", "read-models"),
                ("requisition", "akiba_requisition", "sites"),
            ]
        if self.fulfillment:
            plan += [
                ("fulfillment", "akiba_fulfillment", "api,relay"),
                ("fulfillment", "akiba_fulfillment", "orders"),
                ("fulfillment", "akiba_fulfillment", "stock"),
                ("fulfillment", "akiba_fulfillment", "sites"),
                ("inventory", "akiba_inventory", "shipments"),
            ]
        if self.web:
            plan += [
                ("inventory", "akiba_inventory", "project"),
                ("inventory", "akiba_inventory", "alert"),
            ]
        for service, module, roles in plan:
            env = {
                "AKIBA_DATABASE_URL": self.dsn[service],
                "AKIBA_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "AKIBA_HTTP_PORT": str(self.port[service]),
                "AKIBA_RELAY_IDLE_SECONDS": "0.02",
                "AKIBA_CONSUMER_GROUP_PREFIX": groups,
                **CHEAP_ARGON2,
                # The web app names the browser's address for auth's per-address limits.
                **({"AKIBA_FORWARDED_ALLOW_IPS": "127.0.0.1"} if self.web else {}),
                **(extra_env or {}),
                **(env_of or {}).get(f"{service}:{roles}", {}),
            }
            name = f"{service}:{roles}"
            if name in self.processes:  # another instance of the same roles
                name += f"#{sum(n.startswith(name) for n in self.processes) + 1}"
            log = self.workdir / f"{name.replace(':', '-').replace(',', '+')}.log"
            self.processes[name] = ServiceProcess(
                module, ["serve", "--roles", roles], env, log
            ).start()
        if self.web:
            self._start_web(groups)
        await asyncio.gather(*(started(p) for p in self.processes.values()))
        for service in self.port:
            await wait_until(lambda s=service: _ready(self.url(s)), what=f"{service} ready")
        await self._reference_data()

    def _start_web(self, groups: str) -> None:
        self.port["web"] = free_port()
        urls = {f"AKIBA_{s.upper().replace('-', '_')}_URL": self.url(s) for s in self.port
                if s not in ("web", "hub")}  # fmt: skip
        env = {
            "AKIBA_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "AKIBA_HTTP_PORT": str(self.port["web"]),
            "AKIBA_SYNC_HUB_URL": self.url("hub"),
            **urls,
        }
        log = self.workdir / "web.log"
        self.processes["web:api"] = ServiceProcess("akiba_web", ["serve"], env, log).start()

    def stop(self) -> None:
        """SIGTERM every process (SIGKILL after a grace period)."""
        for p in self.processes.values():
            p.stop()

    def logs(self) -> str:
        """The tails of every process log, for a failure message."""
        return "\n".join(f"--- {n}\n{p.output()[-2000:]}" for n, p in self.processes.items())

    # -- admin API calls ---------------------------------------------------------------------

    async def admin(self) -> dict[str, str]:
        """Headers with an administrator token (renewed well before auth's 5-minute expiry)."""
        token, at = self._token
        if not token or time.monotonic() - at > 120:
            async with httpx.AsyncClient(base_url=self.url("auth")) as c:
                form = {"grant_type": "password", "username": "sync-admin"}
                r = await c.post("/oauth/token", data={**form, "password": ADMIN_PASSWORD})
                assert r.status_code == 200, r.text
                self._token = (r.json()["access_token"], time.monotonic())
        return {"authorization": f"Bearer {self._token[0]}"}

    async def call(self, service: str, method: str, path: str, body: Any = None) -> Any:
        """An admin call that must succeed; retried while the service's read model lacks
        the administrator's permissions (they arrive over auth.permissions)."""

        async def attempt() -> httpx.Response | None:
            async with httpx.AsyncClient(base_url=self.url(service), timeout=30) as c:
                r = await c.request(method, path, json=body, headers=await self.admin())
            return None if r.status_code in (401, 403) else r

        r = await wait_until(attempt, what=f"{method} {path} authorized", timeout=60)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    async def _reference_data(self) -> None:
        """What every test's stores share: a facility type, a zone and a site clerk role."""
        tag = uuid.uuid4().hex[:6].upper()
        ftype = await self.call("inventory", "POST", "/facility-types",
                                {"code": f"HC-{tag}", "name": f"Health centre {tag}"})  # fmt: skip
        zone = await self.call("inventory", "POST", "/geographic-zones",
                               {"code": f"Z-{tag}", "name": f"Zone {tag}", "level": 1})  # fmt: skip
        self._role_name = f"Site clerk {tag}"
        role = await self.call("auth", "POST", "/roles",
                               {"name": self._role_name, "type": "SUPERVISION",
                                "rights": SITE_RIGHTS})  # fmt: skip
        self._shared = {
            "facility_type": UUID(ftype["facility_type_id"]),
            "zone": UUID(zone["zone_id"]),
            "role": UUID(role["role_id"]),
            "program": uuid.uuid4(),
        }

    async def new_site(self, stores: int = 1, central_receipts: int = 0) -> Site:
        """Stores managed by a new site, an item, a reason, the site and a clerk per store.

        With `central_receipts`, each store first records that many receipts centrally (over
        inventory's HTTP API), as a store does before it is given to a site.
        """
        tag = uuid.uuid4().hex[:8].upper()
        store_ids = []
        for i in range(stores):
            s = await self.call("inventory", "POST", "/stores", {
                "code": f"HF-{tag}-{i}", "name": f"Facility {tag} {i}",
                "facility_type_id": str(self._shared["facility_type"]),
                "zone_id": str(self._shared["zone"]),
            })  # fmt: skip
            store_ids.append(UUID(s["store_id"]))
        item = await self.call("inventory", "POST", "/items", {
            "code": f"I-{tag}", "name": f"Amoxicillin {tag}", "dispensing_unit": "tablet",
            "net_content": 100,
        })  # fmt: skip
        reason = await self.call("inventory", "POST", "/adjustment-reasons", {
            "name": f"Damaged {tag}", "direction": "debit", "category": "adjustment",
        })  # fmt: skip
        clerks = {store: await self._clerk(f"clerk-{tag}-{i}".lower(), store)
                  for i, store in enumerate(store_ids)}  # fmt: skip
        for store in store_ids:
            for n in range(central_receipts):
                await self.receive_centrally(store, clerks[store], item["item_id"], 1 + n)
        site = await self.call(
            "auth",
            "POST",
            "/sites",
            {"name": f"Site {tag}", "store_ids": [str(s) for s in store_ids]},
        )
        return Site(UUID(site["site_id"]), site["secret"], store_ids, UUID(item["item_id"]),
                    UUID(reason["reason_id"]), clerks)  # fmt: skip

    async def receive_centrally(self, store: UUID, clerk: str, item: str, quantity: int) -> None:
        """A receipt over inventory's own API, by the store's clerk (a store central writes)."""
        async with httpx.AsyncClient(base_url=self.url("auth")) as c:
            form = {"grant_type": "password", "username": clerk, "password": USER_PASSWORD}
            token = (await c.post("/oauth/token", data=form)).json()["access_token"]
        body = {"item_id": item, "lot_code": "C-1", "quantity": quantity}

        async def attempt() -> httpx.Response | None:
            async with httpx.AsyncClient(base_url=self.url("inventory")) as c:
                r = await c.post(f"/stores/{store}/receipts", json=body,
                                 headers={"authorization": f"Bearer {token}"})  # fmt: skip
            return None if r.status_code in (401, 403) else r

        r = await wait_until(attempt, what="the clerk's central receipt authorized", timeout=60)
        assert r.status_code == 201, r.text

    async def supplier(self) -> tuple[UUID, str]:
        """A store central writes, and a clerk who fulfils orders there (ORDERS_EDIT)."""
        tag = uuid.uuid4().hex[:8].upper()
        s = await self.call("inventory", "POST", "/stores", {
            "code": f"WH-{tag}", "name": f"District store {tag}",
            "facility_type_id": str(self._shared["facility_type"]),
            "zone_id": str(self._shared["zone"]),
        })  # fmt: skip
        store = UUID(s["store_id"])
        role = await self.call("auth", "POST", "/roles", {
            "name": f"Dispatcher {tag}", "type": "ORDER_FULFILLMENT",
            "rights": ["ORDERS_VIEW", "ORDERS_EDIT", "SHIPMENTS_VIEW", "SHIPMENTS_EDIT"],
        })  # fmt: skip
        username = f"dispatch-{tag}".lower()
        user = await self.call("auth", "POST", "/users", {"username": username})
        await self.call("auth", "PUT", f"/users/{user['user_id']}/password",
                        {"password": USER_PASSWORD})  # fmt: skip
        settings = AuthSettings(database_url=self.dsn["auth"], argon2_memory_kib=8192)
        await assign_as_operator(settings, username, role["name"], Scope(warehouse_id=store))
        return store, username

    async def central_store(self, prefix: str = "HC") -> tuple[UUID, str]:
        """A store central writes and a clerk there (stock, requisitions, proofs of delivery)."""
        tag = uuid.uuid4().hex[:8].upper()
        s = await self.call("inventory", "POST", "/stores", {
            "code": f"{prefix}-{tag}", "name": f"Store {tag}",
            "facility_type_id": str(self._shared["facility_type"]),
            "zone_id": str(self._shared["zone"]),
        })  # fmt: skip
        store = UUID(s["store_id"])
        return store, await self._clerk(f"clerk-{tag}".lower(), store)

    async def user_call(
        self, service: str, username: str, method: str, path: str, **kw: Any
    ) -> httpx.Response:
        """A call as a user, retried while the service has not yet read their permissions."""
        async with httpx.AsyncClient(base_url=self.url("auth")) as c:
            form = {"grant_type": "password", "username": username, "password": USER_PASSWORD}
            token = (await c.post("/oauth/token", data=form)).json()["access_token"]
        headers = {"authorization": f"Bearer {token}", **kw.pop("headers", {})}

        async def attempt() -> httpx.Response | None:
            async with httpx.AsyncClient(base_url=self.url(service), timeout=30) as c:
                r = await c.request(method, path, headers=headers, **kw)
            return None if r.status_code in (401, 403) else r

        return await wait_until(attempt, what=f"{method} {path} as {username}", timeout=60)

    async def _clerk(self, username: str, store: UUID) -> str:
        user = await self.call(
            "auth", "POST", "/users", {"username": username, "home_facility_id": str(store)}
        )
        uid = user["user_id"]
        await self.call("auth", "PUT", f"/users/{uid}/password", {"password": USER_PASSWORD})
        # Granted as the operator: the administrator holds no stock rights to delegate.
        settings = AuthSettings(database_url=self.dsn["auth"], argon2_memory_kib=8192)
        scope = Scope(program_id=self._shared["program"])
        await assign_as_operator(settings, username, self._role_name, scope)
        return username

    # -- the central ledger ------------------------------------------------------------------

    async def ledger(self, stores: Sequence[UUID]) -> list[tuple[str, int, str, int]]:
        """(store, sequence, movement id, quantity) of the stores' movements, in store order."""
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn["inventory"])
        try:
            rows = await conn.fetch(
                "select store_id::text, store_sequence, movement_id::text, quantity"
                " from stock_movements where store_id = any($1::uuid[])"
                " order by store_id, store_sequence",
                list(stores),
            )
        finally:
            await conn.close()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def count(self, stores: Sequence[UUID]) -> int:
        """How many movements central holds for the stores."""
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn["inventory"])
        try:
            n = await conn.fetchval(
                "select count(*) from stock_movements where store_id = any($1::uuid[])",
                list(stores),
            )
        finally:
            await conn.close()
        return int(n)


class Gateway:
    """One site's gateway processes on their own SQLite file, behind cuttable links."""

    def __init__(self, central: Central, site: Site, workdir: Path, name: str = "gw") -> None:
        self.central, self.site, self.name = central, site, name
        self.db_path = workdir / f"{name}.sqlite3"
        self.workdir = workdir
        self.port = free_port()
        self.hub_link = TcpProxy("127.0.0.1", central.port["hub"]).start()
        self.auth_link = TcpProxy("127.0.0.1", central.port["auth"]).start()
        self.processes: list[ServiceProcess] = []
        self._tokens: dict[UUID, str] = {}

    @property
    def url(self) -> str:
        """The local API."""
        return f"http://127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        """The gateway's settings: quick polling and short backoff, as a test wants them."""
        return {
            "AKIBA_GATEWAY_SITE_ID": str(self.site.site_id),
            "AKIBA_GATEWAY_SITE_SECRET": self.site.secret,
            "AKIBA_GATEWAY_DATABASE_PATH": str(self.db_path),
            "AKIBA_GATEWAY_HUB_URL": self.hub_link.url,
            "AKIBA_GATEWAY_AUTH_URL": self.auth_link.url,
            "AKIBA_GATEWAY_INSECURE_LINK": "1",  # central on 127.0.0.1 over http: a lab
            "AKIBA_GATEWAY_HTTP_PORT": str(self.port),
            "AKIBA_GATEWAY_PULL_INTERVAL_SECONDS": "0.3",
            "AKIBA_GATEWAY_FORWARD_IDLE_SECONDS": "0.1",
            "AKIBA_GATEWAY_BACKOFF_BASE_SECONDS": "0.1",
            "AKIBA_GATEWAY_BACKOFF_MAX_SECONDS": "1.5",
            "AKIBA_GATEWAY_HTTP_TIMEOUT_SECONDS": "15",
            **{k.upper(): v for k, v in extra.items()},
        }

    def start(self, roles: str = "api,forward,pull", **extra: str) -> ServiceProcess:
        """Start gateway roles as one OS process."""
        n = len(self.processes)
        log = self.workdir / f"{self.name}-{n}-{roles.replace(',', '+')}.log"
        proc = ServiceProcess("akiba_sync_gateway", ["serve", "--roles", roles],
                              self.env(**extra), log).start()  # fmt: skip
        self.processes.append(proc)
        return proc

    async def started(self, proc: ServiceProcess) -> None:
        """Wait for a process to run (and its API to answer, if it has one)."""
        await started(proc)
        if "api" in proc.args[-1]:
            await wait_until(lambda: _ready(self.url), what="the gateway API ready")

    def stop(self) -> None:
        """Stop every process and both links."""
        for p in self.processes:
            p.stop()
        self.hub_link.stop()
        self.auth_link.stop()

    def logs(self) -> str:
        """Tails of the gateway's logs."""
        return "\n".join(f"--- {p.log.name}\n{p.output()[-3000:]}" for p in self.processes)

    # -- the local API -----------------------------------------------------------------------

    async def sign_in(self, store: UUID) -> str:
        """A local token for the store's clerk (once the gateway has their credentials)."""
        form = {"grant_type": "password", "username": self.site.clerks[store],
                "password": USER_PASSWORD}  # fmt: skip

        async def token() -> str | None:
            async with httpx.AsyncClient(base_url=self.url) as c:
                r = await c.post("/oauth/token", data=form)
            return r.json()["access_token"] if r.status_code == 200 else None

        self._tokens[store] = await wait_until(token, what="the clerk to sign in", timeout=60)
        return self._tokens[store]

    async def ready_to_record(self) -> None:
        """Signed in at every store, and central has handed the gateway its stores."""
        for store in self.site.store_ids:
            await self.sign_in(store)

            async def managed(store: UUID = store) -> bool:
                async with httpx.AsyncClient(base_url=self.url) as c:
                    r = await c.get(f"/stores/{store}/stock-on-hand", headers=self.auth(store))
                return r.status_code == 200 and self._item_known() and self.handed_over(store)

            await wait_until(managed, what="the site's stores and item at the gateway", timeout=90)

    def handed_over(self, store: UUID) -> bool:
        """Whether central has told the gateway where the store's ledger stands (writable)."""
        with self.read() as c:
            row = c.execute(
                "SELECT ready FROM stores WHERE store_id = ? AND managed = 1", (str(store),)
            ).fetchone()
        return bool(row and row[0])

    def _item_known(self) -> bool:
        with self.read() as c:
            row = c.execute("SELECT 1 FROM items WHERE item_id = ?", (str(self.site.item_id),))
            return row.fetchone() is not None

    async def status(self, store: UUID) -> dict[str, Any]:
        """`/sync/status`, as the store's clerk sees it."""
        async with httpx.AsyncClient(base_url=self.url) as c:
            r = await c.get("/sync/status", headers=self.auth(store))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def auth(self, store: UUID) -> dict[str, str]:
        """Headers of the store's signed-in clerk."""
        return {"authorization": f"Bearer {self._tokens[store]}"}

    async def receive(
        self, store: UUID, quantity: int, lot: str = "LOT-1", item: UUID | None = None
    ) -> dict[str, Any]:
        """A receipt through the local HTTP API (of the site's item unless told another)."""
        async with httpx.AsyncClient(base_url=self.url) as c:
            r = await c.post(f"/stores/{store}/receipts", headers=self.auth(store), json={
                "item_id": str(item or self.site.item_id), "lot_code": lot, "quantity": quantity,
                "expiry_date": "2031-06-30",
            })  # fmt: skip
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    async def issue(self, store: UUID, batch_id: str, quantity: int) -> None:
        """An issue through the local HTTP API."""
        async with httpx.AsyncClient(base_url=self.url) as c:
            r = await c.post(f"/stores/{store}/issues", headers=self.auth(store), json={
                "lines": [{"item_id": str(self.site.item_id), "batch_id": batch_id,
                           "quantity": quantity}],
            })  # fmt: skip
        assert r.status_code == 201, r.text

    async def adjust(self, store: UUID, batch_id: str, quantity: int) -> None:
        """A negative adjustment with the site's reason, through the local HTTP API."""
        async with httpx.AsyncClient(base_url=self.url) as c:
            r = await c.post(f"/stores/{store}/adjustments", headers=self.auth(store), json={
                "direction": "negative",
                "lines": [{"item_id": str(self.site.item_id), "batch_id": batch_id,
                           "quantity": quantity, "reason_id": str(self.site.reason_id)}],
            })  # fmt: skip
        assert r.status_code == 201, r.text

    async def record_direct(self, store: UUID, n: int, per_tx: int = 500) -> None:
        """n receipts through the gateway's own recording code (handlers, one SQLite writer),
        a transaction per `per_tx`: what the API does per request, without HTTP."""
        db = Database(str(self.db_path))
        try:
            for start in range(0, n, per_tx):
                count = min(per_tx, n - start)
                await db.write(lambda c, k=count: _receipts(c, self.site, store, k))
        finally:
            db.close()

    # -- the site's ledger -------------------------------------------------------------------

    def read(self) -> sqlite3.Connection:
        """A connection on the gateway's SQLite file (WAL: reads never block its writer)."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        return conn

    def ledger(self) -> list[tuple[str, int, str, int]]:
        """(store, sequence, movement id, quantity) of the site's ledger, in store order."""
        with self.read() as c:
            rows = c.execute(
                "SELECT store_id, store_sequence, movement_id, quantity FROM ledger"
                " ORDER BY store_id, store_sequence"
            ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def outbox_states(self) -> dict[str, int]:
        """How many outbox events are in each state."""
        with self.read() as c:
            return dict(c.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())


def _receipts(c: sqlite3.Connection, site: Site, store: UUID, n: int) -> None:
    tx = Tx(c)
    now = datetime.now().astimezone()
    for i in range(n):
        cmd = ReceiveStock(store, site.item_id, f"LOT-{i % 4}", date(2031, 6, 30), 1 + i % 7,
                           None, "bulk")  # fmt: skip
        handlers.receive_stock(tx, site.site_id, cmd, now)


async def synced(central: Central, *gateways: Gateway, timeout: float = 120) -> None:
    """Wait until central holds every movement of the sites and every event is synced."""
    for gw in gateways:
        try:
            await wait_until(
                lambda gw=gw: _caught_up(central, gw),
                timeout=timeout,
                interval=0.5,
                what=f"{gw.name}'s movements at central, all synced",
            )
        except AssertionError as exc:
            central_has = await central.count(gw.site.store_ids)
            detail = f"{exc}\ncentral has {central_has}; gateway {gw.outbox_states()}"
            raise AssertionError(f"{detail}\n{gw.logs()}\n{central.logs()}") from None


async def _caught_up(central: Central, gw: Gateway) -> bool:
    want = len(gw.ledger())
    done = set(gw.outbox_states()) == {"synced"}
    return done and await central.count(gw.site.store_ids) >= want


async def assert_ledgers_equal(central: Central, gw: Gateway) -> None:
    """Central's ledger of the site's stores is the site's: same movements, gap-free, in order."""
    site = gw.ledger()
    assert site, "the site recorded nothing"
    assert await central.ledger(gw.site.store_ids) == site
    for store in gw.site.store_ids:
        seqs = [s for st, s, _, _ in site if st == str(store)]
        assert seqs == list(range(1, len(seqs) + 1)), f"store {store} has gaps or disorder"
    assert gw.outbox_states() == {"synced": gw.outbox_states()["synced"]}


def moved(gw: Gateway) -> int:
    """Events no longer pending (forwarded, synced or refused)."""
    states = gw.outbox_states()
    return sum(states.values()) - states.get("pending", 0)


async def record_backlog(gw: Gateway, direct: int) -> None:
    """Start the site's API and feed, sign in, then record a backlog (some of it over HTTP)."""
    await gw.started(gw.start("api,pull"))
    await gw.ready_to_record()
    for store in gw.site.store_ids:
        receipt = await gw.receive(store, 40)
        await gw.issue(store, receipt["batch_id"], 3)
        await gw.record_direct(store, direct)


def push_errors(gw: Gateway) -> int:
    """How many pushes the gateway saw fail."""
    with gw.read() as c:
        row = c.execute("SELECT count(*) FROM sync_errors WHERE kind = 'push'").fetchone()
    return int(row[0])
