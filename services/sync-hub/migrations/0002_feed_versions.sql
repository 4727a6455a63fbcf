-- The version of the record a feed row holds, for records that carry one (requisitions, reference
-- data): a record read after a newer one of the same key (a redelivery, a replayed topic) leaves
-- the row as it is, so a site never sees a requisition step back. Null: no order to keep.
alter table site_feed add column version bigint;
