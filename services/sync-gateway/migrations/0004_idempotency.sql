-- Idempotency keys of the local API's writes, per caller (scope: the principal's kind and
-- subject). A row is inserted in the savepoint of the write it guards (status NULL), then
-- given the answer; only the key's SHA-256 is kept, and the answer is sealed with the key.
-- created_at is seconds since the epoch; rows live at least the retention setting (24 h).
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key_hash BLOB NOT NULL,
    fingerprint BLOB NOT NULL,
    status INTEGER,
    content_type TEXT,
    body BLOB,
    created_at REAL NOT NULL,
    PRIMARY KEY (scope, key_hash)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
