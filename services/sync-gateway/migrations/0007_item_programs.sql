-- The programs each item belongs to (its OrderableChanged program_ids, a JSON array), so the
-- local routes keep a program-scoped right to its programs' items, as central does. Items
-- learn theirs from their next feed record; until then they count as of no program.
ALTER TABLE items ADD COLUMN program_ids TEXT NOT NULL DEFAULT '[]';
