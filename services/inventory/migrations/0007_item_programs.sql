-- The programs an item is ordered under (an orderable's program memberships) become part of the
-- item, maintained through the items admin API and published on inventory.orderables. Programs
-- are requisition's; inventory keeps their ids to read stock on hand and settings per program.
alter table items add column program_ids uuid[] not null default '{}';
create index items_programs on items using gin (program_ids);

-- The read model alerts used until now holds the same facts: fold it in, then drop it.
update items i
   set program_ids = g.ids
  from (select item_id, array_agg(program_id order by program_id) as ids
          from stock_program_items group by item_id) g
 where g.item_id = i.item_id;
drop table stock_program_items;
