-- Goods-received documents recorded at the site (issue 14): the ledger holds each line as a
-- receipt, forwarded as one site document; a row here holds the whole document as JSON (its
-- lines with their batches and movements) plus what the list orders and filters on.
CREATE TABLE goods_received (
    document_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    reference_number TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX goods_received_store ON goods_received (store_id, recorded_at);
