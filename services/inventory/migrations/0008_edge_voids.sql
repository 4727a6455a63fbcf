-- A document central refuses for its content, from a site that may write the store, is voided:
-- its run of sequence numbers is skipped (no ledger entries) so the store's later documents
-- apply. One that arrives ahead of a gap waits here like any other, marked voided.
alter table edge_pending add column voided boolean not null default false;
