-- The ledger's references are checked once per statement instead of once per row (issue 17).
--
-- A foreign key checks every new ledger row on its own: a lookup in stores, items and batches,
-- each taking a row lock (FOR KEY SHARE) on the row it finds. That was two thirds of
-- PostgreSQL's work to write a ledger row: a COPY of 200,000 rows cost it about 20 µs of CPU
-- a row with the three keys and 6 µs without them. The same guarantee, set-based: after each
-- statement that writes ledger rows, one anti-join of the statement's new rows with the three
-- tables refuses the whole statement if a row names a store, an item or a batch that does not
-- exist, with the error a foreign key raises (SQLSTATE 23503), so callers see no difference.
--
-- The keys also kept a named row from being deleted, which the lock made safe against a
-- concurrent delete. Stores, items and batches are never deleted: reference data is retired
-- (active = false) and a batch is a fact about a delivery. Deleting one is now refused
-- outright, so no ledger row can lose what it names, and no check has to lock anything.

create function stock_movements_references() returns trigger
language plpgsql as $$
declare
    bad record;
begin
    select n.movement_id,
           case
               when not exists (select 1 from stores s where s.store_id = n.store_id)
                   then 'store_id'
               when not exists (select 1 from items i where i.item_id = n.item_id)
                   then 'item_id'
               else 'batch_id'
           end as col,
           n.store_id, n.item_id, n.batch_id
      into bad
      from new_rows n
     where not exists (select 1 from stores s where s.store_id = n.store_id)
        or not exists (select 1 from items i where i.item_id = n.item_id)
        or (n.batch_id is not null
            and not exists (select 1 from batches b where b.batch_id = n.batch_id))
     limit 1;
    if found then
        raise foreign_key_violation using
            message = format('ledger row %s names a %s that does not exist',
                             bad.movement_id, bad.col),
            detail = format('Key (%s)=(%s) is not present in table "%s".', bad.col,
                            case bad.col when 'store_id' then bad.store_id
                                         when 'item_id' then bad.item_id
                                         else bad.batch_id end,
                            case bad.col when 'store_id' then 'stores'
                                         when 'item_id' then 'items'
                                         else 'batches' end),
            table = 'stock_movements',
            column = bad.col;
    end if;
    return null;
end
$$;

create trigger stock_movements_references_insert
    after insert on stock_movements
    referencing new table as new_rows
    for each statement execute function stock_movements_references();

-- Ledger rows are rewritten only for their running balances (a back-dated entry), but any
-- update that could name another store, item or batch is checked the same way.
create trigger stock_movements_references_update
    after update on stock_movements
    referencing new table as new_rows
    for each statement execute function stock_movements_references();

create function reference_rows_kept() returns trigger
language plpgsql as $$
begin
    raise restrict_violation using
        message = format('%s rows are never deleted: the ledger names them for good',
                         tg_table_name),
        hint = 'retire a store or an item (active = false) instead',
        table = tg_table_name;
end
$$;

create trigger stores_kept before delete on stores
    for each statement execute function reference_rows_kept();
create trigger items_kept before delete on items
    for each statement execute function reference_rows_kept();
create trigger batches_kept before delete on batches
    for each statement execute function reference_rows_kept();

alter table stock_movements
    drop constraint stock_movements_store_id_fkey,
    drop constraint stock_movements_item_id_fkey,
    drop constraint stock_movements_batch_id_fkey;
