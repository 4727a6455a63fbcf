-- Orders and shipments (issue 14), and the read models allocation and checks need.

-- Inventory's reference data, as published (full state per record, newer versions win).
create table facilities (
    facility_id uuid primary key,
    code        text not null,
    name        text not null,
    site_id     uuid,  -- the site that manages (writes) the store, if any
    active      boolean not null,
    version     integer not null
);
create table orderables (
    item_id         uuid primary key,
    code            text not null,
    name            text not null,
    dispensing_unit text not null,
    net_content     integer not null check (net_content >= 1),
    active          boolean not null,
    version         integer not null
);
create table batches (
    batch_id    uuid primary key,
    item_id     uuid not null,
    lot_code    text not null,
    expiry_date date,
    version     integer not null
);
create table locations (
    location_id uuid primary key,
    store_id    uuid not null,
    code        text not null,
    active      boolean not null,
    version     integer not null
);

-- Stock lines as inventory publishes them (levels, and its answers to reservations): of two
-- records of a line the higher (revision, store_sequence) is the newer.
create table stock_lines (
    store_id       uuid not null,
    item_id        uuid not null,
    batch_id       uuid,
    location_id    uuid,
    on_hand        bigint not null,
    reserved       bigint not null,
    on_hold        boolean not null,
    revision       bigint not null,
    store_sequence bigint not null,
    unique nulls not distinct (store_id, item_id, batch_id, location_id)
);

create sequence order_numbers;
create sequence shipment_numbers;

create table orders (
    order_id               uuid primary key,
    order_code             text not null unique,
    requisition_id         uuid unique,  -- one order per released requisition
    program_id             uuid,
    period_id              uuid,
    emergency              boolean not null,
    requesting_facility_id uuid not null,
    supplying_facility_id  uuid not null,
    status                 text not null,
    back_ordered           boolean not null,
    version                integer not null check (version >= 1),
    created_by             text not null,
    created_at             timestamptz not null,
    updated_at             timestamptz not null,
    closed_reason          text
);
create index orders_supplier on orders (supplying_facility_id, created_at desc);
create index orders_requester on orders (requesting_facility_id, created_at desc);

create table order_lines (
    order_id     uuid not null references orders,
    orderable_id uuid not null,
    pack_size    integer not null check (pack_size >= 1),
    ordered      bigint not null check (ordered >= 0),
    shipped      bigint not null default 0,
    received     bigint not null default 0,
    rejected     bigint not null default 0,
    cancelled    bigint not null default 0,
    position     integer not null,
    primary key (order_id, orderable_id),
    check (shipped + cancelled <= ordered)
);

-- The order's timeline: every step, from the requisition's release to the last receipt.
create table order_steps (
    order_id    uuid not null references orders,
    version     integer not null,
    step        text not null,
    status      text not null,
    shipment_id uuid,
    actor       text not null,
    reason      text,
    at          timestamptz not null,
    primary key (order_id, version)
);

create table shipments (
    shipment_id            uuid primary key,
    shipment_code          text not null unique,
    order_id               uuid not null references orders,
    supplying_facility_id  uuid not null,
    receiving_facility_id  uuid not null,
    status                 text not null,
    version                integer not null check (version >= 1),
    created_by             text not null,
    created_at             timestamptz not null,
    updated_at             timestamptz not null,
    carrier                text,
    note                   text,
    shipped_at             timestamptz,
    cancel_reason          text,
    delivered_by           text,
    received_by            text,
    received_at            timestamptz,
    pod_reference          text,
    posted_at_site         boolean not null default false
);
create index shipments_order on shipments (order_id);
create index shipments_supplier on shipments (supplying_facility_id, status);
create index shipments_receiver on shipments (receiving_facility_id, status);

create table shipment_items (
    shipment_id  uuid not null references shipments,
    orderable_id uuid not null,
    pack_size    integer not null,
    quantity     bigint not null check (quantity >= 0),
    unallocated  bigint not null default 0,
    skipped      jsonb not null default '[]',
    position     integer not null,
    primary key (shipment_id, orderable_id)
);

create table shipment_lots (
    line_id          uuid primary key,
    shipment_id      uuid not null references shipments,
    orderable_id     uuid not null,
    batch_id         uuid,
    lot_code         text,
    expiry_date      date,
    location_id      uuid,
    quantity         bigint not null check (quantity >= 0),
    pack_size        integer not null,
    expiring_soon    boolean not null default false,
    confirmed        boolean not null default false,
    position         integer not null,
    accepted         bigint,
    rejected         bigint,
    rejection_reason text,
    vvm_stage        smallint,
    receipt_note     text,
    put_location_id  uuid
);
create index shipment_lots_shipment on shipment_lots (shipment_id, position);
-- Allocated, not yet answered by inventory: allocation counts them as taken.
create index shipment_lots_unanswered on shipment_lots (orderable_id) where not confirmed;
