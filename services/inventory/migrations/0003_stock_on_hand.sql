-- Stock on hand per stock line, written in the same transaction as the ledger rows it sums:
-- a central movement that would take a line below zero is refused before anything commits.
create table stock_on_hand (
    store_id      uuid not null references stores,
    item_id       uuid not null references items,
    batch_id      uuid references batches,
    location_id   uuid references locations,
    quantity      bigint not null,
    reserved      bigint not null default 0 check (reserved >= 0),
    on_hold       boolean not null default false,
    last_sequence bigint not null,
    updated_at    timestamptz not null default clock_timestamp(),
    unique nulls not distinct (store_id, item_id, batch_id, location_id)
);
create index stock_on_hand_store_item on stock_on_hand (store_id, item_id);

-- Running balances in stock-card order (occurred_at, store_sequence): of the item in the store,
-- and of the batch in the store over all its locations. A back-dated movement rewrites the
-- balances of the rows after it; nothing else ever changes a ledger row.
alter table stock_movements
    add column item_balance  bigint,
    add column batch_balance bigint;
drop index stock_movements_card;
create index stock_movements_card on stock_movements (store_id, item_id, occurred_at, store_sequence);

update stock_movements m
   set item_balance = x.ib, batch_balance = x.bb
  from (select movement_id,
               sum(quantity) over (partition by store_id, item_id
                                   order by occurred_at, store_sequence) as ib,
               sum(quantity) over (partition by store_id, item_id, batch_id
                                   order by occurred_at, store_sequence) as bb
          from stock_movements) x
 where m.movement_id = x.movement_id;

insert into stock_on_hand (store_id, item_id, batch_id, location_id, quantity, last_sequence)
select store_id, item_id, batch_id, location_id, sum(quantity), max(store_sequence)
  from stock_movements
 group by store_id, item_id, batch_id, location_id;

alter table stock_movements alter column item_balance set not null,
                            alter column batch_balance set not null;
