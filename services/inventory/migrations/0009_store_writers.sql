-- Who writes each store is auth's fact (auth.sites); inventory keeps the latest word here and
-- derives stores.managed_by and stores.site_id from it, so the hub, inventory and the sites act
-- on one fact. Versions order records of different sites (a hand-over rewrites two).
create table edge_sites (
    site_id    uuid primary key,
    active     boolean not null,
    version    bigint not null,  -- 0: a record published before auth versioned them
    updated_at timestamptz not null default clock_timestamp()
);

-- No reference to stores: auth may name a store before inventory holds it (it applies then).
create table store_writers (
    store_id uuid primary key,
    site_id  uuid,  -- null: central writes it
    version  bigint not null
);

alter table stores add column site_id uuid;

-- A document held because central has not seen the site's right to write the store yet (or
-- the site is inactive): authorised again whenever the store is planned, never refused early.
alter table edge_pending add column awaiting boolean not null default false,
                         add column site_version bigint;
create index edge_pending_received on edge_pending (received_at);

alter table edge_rejections add column kind text,
                            add column voided boolean not null default false,
                            add column line_count integer;
create index edge_rejections_store on edge_rejections (store_id, store_sequence)
    where store_id is not null;

-- Stores announced stalled (EdgeStoreStalled) and not yet moving again.
create table edge_stalls (
    store_id     uuid primary key references stores,
    cause        text not null,
    announced_at timestamptz not null default clock_timestamp()
);
