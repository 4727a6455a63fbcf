-- Returns (issue 14, item 7): received stock sent back to its supplier against the shipment it
-- came on, through the same shipment mechanism (reserved, issued, received with a proof).
alter table shipments
    add column kind text not null default 'ORDER',
    add column returned_shipment_id uuid references shipments;
create index shipments_returned on shipments (returned_shipment_id)
    where returned_shipment_id is not null;
alter table shipment_lots add column return_reason text;
alter table order_lines add column returned bigint not null default 0;
alter table shipment_lots add column returned_line_id uuid;  -- on a return: the line it sends back
