-- Edge ingestion: site documents that arrived ahead of a gap in their store's sequence, site
-- events refused (the alert ops act on), and stock lines the edge took below zero.

-- Held until the store's next_sequence reaches first_sequence; then applied and deleted in the
-- same transaction. One document per (store, first sequence): a second one there is a duplicate.
create table edge_pending (
    store_id       uuid        not null references stores,
    first_sequence bigint      not null,
    line_count     integer     not null check (line_count > 0),
    event_id       uuid        not null unique,
    site_id        uuid        not null,
    event          bytea       not null,
    received_at    timestamptz not null default clock_timestamp(),
    primary key (store_id, first_sequence)
);

create table edge_rejections (
    event_id       text        primary key,
    event_type     text        not null,
    site_id        text,
    store_id       uuid,
    store_sequence bigint,
    reason         text        not null,
    rejected_at    timestamptz not null default clock_timestamp()
);
create index edge_rejections_site on edge_rejections (site_id, rejected_at);

-- A fact from the edge is accepted even when it takes a line below zero (it already happened);
-- the line is listed here while it stays negative, for the alerts role and the dashboard.
create table edge_negative_stock (
    store_id      uuid        not null,
    item_id       uuid        not null,
    batch_id      uuid,
    location_id   uuid,
    quantity      bigint      not null check (quantity < 0),
    last_sequence bigint      not null,
    since         timestamptz not null default clock_timestamp(),
    unique nulls not distinct (store_id, item_id, batch_id, location_id)
);
