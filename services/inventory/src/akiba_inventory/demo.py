"""A small demo catalogue so `make run` has stores and items to receive into."""

from __future__ import annotations

import asyncpg

from akiba_inventory.settings import Settings
from akiba_platform.demo import demo_id

STORES = [
    ("WH-NAT", "National Medical Stores"),
    ("DEP-NORTH", "Northern Regional Depot"),
    ("HF-0001", "Kibera Health Centre"),
]
ITEMS = [
    ("AMX-250", "Amoxicillin 250mg dispersible tablet"),
    ("ORS-1L", "Oral rehydration salts"),
    ("MR-VAX", "Measles-rubella vaccine 10-dose vial"),
]


async def seed(settings: Settings) -> None:
    """Insert the demo rows that are missing."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.executemany(
            "insert into stores (store_id, code, name) values ($1, $2, $3) on conflict do nothing",
            [(demo_id("store", c), c, n) for c, n in STORES],
        )
        await conn.executemany(
            "insert into items (item_id, code, name) values ($1, $2, $3) on conflict do nothing",
            [(demo_id("item", c), c, n) for c, n in ITEMS],
        )
    finally:
        await conn.close()
