-- Fulfillment's word that a supplier fulfils the program itself: approval releases at once.
alter table supply_lines add column local_fulfillment boolean not null default false;
