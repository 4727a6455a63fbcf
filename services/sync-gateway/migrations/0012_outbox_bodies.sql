-- An outbox row changes state twice after it is written (pending → forwarded → synced, each
-- time in its indexes too), and SQLite rewrites a whole row to change one column: with the
-- encoded event (about 1 KB) inline, those two updates cost twice what they cost on a narrow
-- row. The body is written once and read once, so it lives beside the row, keyed alike.
CREATE TABLE outbox_body (
    outbox_seq INTEGER PRIMARY KEY REFERENCES outbox (outbox_seq) ON DELETE CASCADE,
    body BLOB NOT NULL
);
INSERT INTO outbox_body (outbox_seq, body) SELECT outbox_seq, body FROM outbox;
-- contract: the gateway release that adds outbox_body stops reading and writing outbox.body.
-- A gateway is one process upgraded in place (stop, migrate, start), never a rolling upgrade,
-- and the release before this one fails loudly on this schema (no such column: body) rather
-- than forwarding anything wrong; the way back is the copy of the site's file taken before
-- the upgrade (docs/operations.md, Upgrading). Rewrites the table once: a site with a large
-- backlog takes a moment on this upgrade.
ALTER TABLE outbox DROP COLUMN body;
