-- Entries of documents central refused for their content and voided (EdgeEventRejected with
-- voided): moved out of the ledger so the site's stock matches central's, kept for the record.
CREATE TABLE voided_ledger (
    store_id TEXT NOT NULL,
    store_sequence INTEGER NOT NULL,
    movement_id TEXT NOT NULL UNIQUE,
    item_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    movement_type TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason_id TEXT,
    reference TEXT,
    source TEXT,
    event_id TEXT NOT NULL,
    voided_at TEXT NOT NULL,
    refusal TEXT NOT NULL,
    PRIMARY KEY (store_id, store_sequence)
);
