-- Goods received: a supplier's delivery, posted whole as receipt movements (each line's
-- movement is in the ledger, referencing `<reference_kind>:<reference_number>` with the
-- supplier as its source). The document keeps what the ledger does not: the unit prices,
-- the note, and which movements came from which delivery.
create table goods_received (
    document_id      uuid primary key,
    store_id         uuid not null references stores,
    supplier         text not null,
    reference_kind   text not null check (reference_kind in ('purchase_order', 'donation', 'other')),
    reference_number text not null,
    received_at      timestamptz not null,
    note             text,
    recorded_by      text not null,
    recorded_at      timestamptz not null,
    line_count       integer not null check (line_count > 0),
    total_quantity   bigint not null
);
create index goods_received_store on goods_received (store_id, recorded_at desc, document_id);
create index goods_received_reference on goods_received (store_id, reference_number);

create table goods_received_lines (
    document_id uuid not null references goods_received,
    line_index  integer not null,
    item_id     uuid not null references items,
    batch_id    uuid not null references batches,
    quantity    integer not null check (quantity > 0),
    location_id uuid references locations,
    unit_price  numeric(18, 4) check (unit_price >= 0),
    movement_id uuid not null references stock_movements,
    primary key (document_id, line_index)
);
