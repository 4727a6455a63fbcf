-- The site's own store. Text ids are canonical UUID strings; times are ISO 8601 UTC;
-- location_id '' means "no location" so it can sit in primary keys (NULLs are distinct there).

CREATE TABLE stores (
    store_id TEXT PRIMARY KEY,
    code TEXT,
    name TEXT,
    facility_type_id TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    managed INTEGER NOT NULL DEFAULT 0,       -- the site writes it (from the SITE feed entry)
    next_sequence INTEGER NOT NULL DEFAULT 1  -- the store's next ledger sequence
);

CREATE TABLE items (
    item_id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    active INTEGER NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE batches (
    batch_id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL,
    lot_code TEXT NOT NULL,
    expiry_date TEXT,
    UNIQUE (item_id, lot_code)
);

CREATE TABLE locations (
    location_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    active INTEGER NOT NULL
);

CREATE TABLE reasons (
    reason_id TEXT PRIMARY KEY,
    data TEXT NOT NULL  -- AdjustmentReasonChanged as JSON
);

-- Facility types, zones and anything else only kept for display, as the feed sent it.
CREATE TABLE reference (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);

CREATE TABLE ledger (
    store_id TEXT NOT NULL,
    store_sequence INTEGER NOT NULL,
    movement_id TEXT NOT NULL UNIQUE,
    item_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    movement_type TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    line_balance INTEGER NOT NULL,  -- the stock line's balance just after it, in recording order
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason_id TEXT,
    reference TEXT,
    source TEXT,
    event_id TEXT NOT NULL,
    PRIMARY KEY (store_id, store_sequence)
);
CREATE INDEX ledger_card ON ledger (store_id, item_id, occurred_at, store_sequence);
-- Consumption in the look-back window (alerts) without reading the item's receipts.
CREATE INDEX ledger_consumption ON ledger (store_id, item_id, movement_type, occurred_at);

CREATE TABLE stock_on_hand (
    store_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    store_sequence INTEGER NOT NULL,
    PRIMARY KEY (store_id, item_id, batch_id, location_id)
);

CREATE TABLE stocktakes (
    stocktake_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    status TEXT NOT NULL,
    snapshot_sequence INTEGER NOT NULL,
    item_ids TEXT NOT NULL,
    location_ids TEXT NOT NULL,
    program_id TEXT,
    reference TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finalised_by TEXT,
    finalised_at TEXT,
    adjustments INTEGER
);

CREATE TABLE stocktake_lines (
    stocktake_id TEXT NOT NULL REFERENCES stocktakes (stocktake_id),
    item_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    snapshot INTEGER NOT NULL,
    counted INTEGER,
    reason_id TEXT,
    counted_by TEXT,
    counted_at TEXT,
    expected INTEGER,
    movement_id TEXT,
    PRIMARY KEY (stocktake_id, item_id, batch_id, location_id)
);

CREATE TABLE alerts (
    store_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,  -- '' for item-level alerts
    kind TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    stock_on_hand INTEGER NOT NULL,
    amc TEXT,
    months_of_stock TEXT,
    PRIMARY KEY (store_id, item_id, batch_id, kind)
);

-- Every document recorded, as the CloudEvent central will apply. outbox_seq orders the
-- forwarder: the single writer allocates store sequences in the same order.
CREATE TABLE outbox (
    outbox_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    store_id TEXT NOT NULL,
    first_sequence INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'forwarded', 'synced', 'refused')),
    created_at TEXT NOT NULL,
    forwarded_at TEXT,
    synced_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (store_id, first_sequence)
);
CREATE INDEX outbox_pending ON outbox (state, outbox_seq);
CREATE INDEX outbox_store ON outbox (store_id, state, first_sequence);

CREATE TABLE feed_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER NOT NULL
);
INSERT INTO feed_cursor (id, cursor) VALUES (1, 0);

CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL,
    password_hash TEXT,
    home_facility_id TEXT,
    version INTEGER NOT NULL,
    permissions TEXT NOT NULL  -- JSON list, as in UserPermissionsChanged
);

CREATE TABLE signing_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kid TEXT NOT NULL,
    private_key BLOB NOT NULL,  -- PKCS#8 DER; the file is the site's, like its ledger
    created_at TEXT NOT NULL
);

CREATE TABLE sync_state (
    name TEXT PRIMARY KEY,  -- last_push_at, last_pull_at, last_credentials_at
    value TEXT NOT NULL
);

CREATE TABLE sync_errors (
    error_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,  -- push, refused, pull, rejection, credentials
    event_id TEXT,
    message TEXT NOT NULL
);
