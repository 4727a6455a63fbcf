-- Orders the site's stores placed and the shipments coming to them (issue 14, item 5), from the
-- feed, so the site follows its orders and receives a truck offline. Each row keeps the
-- document as the shared HTTP models give it (JSON) plus what the lists filter and order on.
CREATE TABLE requested_orders (
    order_id TEXT PRIMARY KEY,
    requesting_facility_id TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX requested_orders_store ON requested_orders (requesting_facility_id, created_at);

-- `version` is the shipment's as the site shows it (one more than central's once received here);
-- `central_version` central's last word on it; `refusal` why central refused our proof.
CREATE TABLE inbound_shipments (
    shipment_id TEXT PRIMARY KEY,
    receiving_facility_id TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    central_version INTEGER NOT NULL,
    shipped_at TEXT NOT NULL,
    refusal TEXT,
    document TEXT NOT NULL
);
CREATE INDEX inbound_shipments_store ON inbound_shipments (receiving_facility_id, shipped_at);
