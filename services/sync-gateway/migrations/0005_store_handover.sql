-- A store the site writes is ready once central acknowledged, to this site, where its ledger
-- stands (the hand-over acknowledgement): the site numbers its documents on from there, so
-- central's earlier entries and the site's never share a sequence. Until then it records
-- nothing in the store. Stores already written here before this rule are ready.
ALTER TABLE stores ADD COLUMN ready INTEGER NOT NULL DEFAULT 0;
UPDATE stores SET ready = 1 WHERE managed = 1;

-- Central's next sequence of the store as last acknowledged to this site: a pushed event
-- below it is applied (the acknowledgement may come before the push's answer is written).
ALTER TABLE stores ADD COLUMN acked_sequence INTEGER NOT NULL DEFAULT 1;
UPDATE stores SET acked_sequence = coalesce(
    (SELECT max(first_sequence + line_count) FROM outbox o
      WHERE o.store_id = stores.store_id AND o.state = 'synced'), 1);

-- The version of the site's record (auth.sites) that gave it the store; stamped on every
-- event as `siteversion`, so central tells "not heard of yet" from "not yours".
ALTER TABLE stores ADD COLUMN site_version INTEGER;

-- Why central refused an event: door (the hub), content (voided), conflict (another document
-- holds its sequence), authorization, out_of_window, malformed.
ALTER TABLE outbox ADD COLUMN refusal TEXT;
UPDATE outbox SET refusal = CASE
    WHEN EXISTS (SELECT 1 FROM voided_ledger v WHERE v.event_id = outbox.event_id) THEN 'content'
    ELSE 'door' END
 WHERE state = 'refused';
