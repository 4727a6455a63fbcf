-- Each sync loop (push, pull, credentials) while its rounds fail: since when, how many in a
-- row, the last error and its kind (link, unreadable, too_large, database, unexpected). The
-- row goes when a round succeeds again.
CREATE TABLE sync_loops (
    loop TEXT PRIMARY KEY,
    failing_since TEXT NOT NULL,
    failures INTEGER NOT NULL,
    kind TEXT NOT NULL,
    last_error TEXT NOT NULL,
    last_error_at TEXT NOT NULL
);

-- A pending event with an error is blocked (e.g. larger than the hub takes in one push): the
-- status lists them without reading the whole backlog.
CREATE INDEX outbox_blocked ON outbox (outbox_seq)
    WHERE state = 'pending' AND last_error IS NOT NULL;
