-- An outbox row changes state twice after it is written (pending → forwarded → synced, each
-- time in its indexes too), and SQLite rewrites a whole row to change one column: with the
-- encoded event (about 1 KB) inline, those two updates cost twice what they cost on a narrow
-- row. The body is written once and read once, so it lives beside the row, keyed alike.
CREATE TABLE outbox_body (
    outbox_seq INTEGER PRIMARY KEY REFERENCES outbox (outbox_seq) ON DELETE CASCADE,
    body BLOB NOT NULL
);
INSERT INTO outbox_body (outbox_seq, body) SELECT outbox_seq, body FROM outbox;
-- Rewrites the table once: a site with a large backlog takes a moment on this upgrade.
ALTER TABLE outbox DROP COLUMN body;
