-- Requisitions drafted at the site (issue 13). A row holds the whole document as JSON (lines
-- with their figures and pack rules, the history) plus what lists and rules filter on.
CREATE TABLE requisitions (
    requisition_id TEXT PRIMARY KEY,
    facility_id TEXT NOT NULL,
    program_id TEXT,
    period_id TEXT,
    kind TEXT NOT NULL,
    emergency INTEGER NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    central_version INTEGER NOT NULL DEFAULT 0,  -- the latest version central reported
    refusal TEXT,                                -- why central refused one of our steps
    created_at TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX requisitions_facility ON requisitions (facility_id, created_at);
-- One regular requisition per store, program and period, as centrally.
CREATE UNIQUE INDEX requisitions_period ON requisitions (facility_id, program_id, period_id)
    WHERE kind = 'PROGRAM' AND emergency = 0;

-- Items' pack facts for requisition lines, from the feed (NULL until an item's next record).
ALTER TABLE items ADD COLUMN pack_size INTEGER;
ALTER TABLE items ADD COLUMN pack_rounding_threshold INTEGER;
ALTER TABLE items ADD COLUMN round_to_zero INTEGER;

-- Pull the feed again from the start: items cached before this migration get their pack facts,
-- and requisition reference data the hub fed before this gateway knew it arrives. Every entry
-- is an upsert (applying it twice changes nothing), so this is only a full re-read.
UPDATE feed_cursor SET cursor = 0;
