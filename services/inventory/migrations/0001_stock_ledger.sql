-- Reference data the ledger needs now; the inventory issue grows these into full catalogues.
create table stores (
    store_id      uuid primary key,
    code          text not null unique,
    name          text not null,
    active        boolean not null default true,
    -- The next per-store sequence number; the row lock on it serialises a store's writes.
    next_sequence bigint not null default 1
);

create table items (
    item_id uuid primary key,
    code    text not null unique,
    name    text not null,
    active  boolean not null default true
);

create table batches (
    batch_id    uuid primary key,
    item_id     uuid not null references items,
    lot_code    text not null,
    expiry_date date,
    unique (item_id, lot_code)
);

-- The ledger: immutable, one row per movement, in dispensing units.
create table stock_movements (
    movement_id    uuid primary key,
    store_id       uuid not null references stores,
    store_sequence bigint not null,
    item_id        uuid not null references items,
    batch_id       uuid references batches,
    location_id    uuid,
    movement_type  text not null,
    quantity       integer not null,
    occurred_at    timestamptz not null,
    recorded_at    timestamptz not null,
    actor          text not null,
    reason_id      uuid,
    reference      text,
    source         text,
    unique (store_id, store_sequence)
);
create index stock_movements_card on stock_movements (store_id, item_id, occurred_at);

-- Stock on hand, projected from inventory.stock-movements by the stock-level projector.
create table stock_levels (
    store_id         uuid not null,
    item_id          uuid not null,
    batch_id         uuid,
    location_id      uuid,
    quantity_on_hand bigint not null,
    last_movement_id uuid not null,
    store_sequence   bigint not null,
    updated_at       timestamptz not null default clock_timestamp(),
    unique nulls not distinct (store_id, item_id, batch_id, location_id)
);
