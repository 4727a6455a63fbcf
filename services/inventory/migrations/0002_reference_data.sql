-- Reference data inventory owns: facility types, zones, full stores and items, batches,
-- locations and adjustment reasons. Every row carries a version that grows with each change,
-- so consumers of the compacted topics can ignore a stale record.

create table facility_types (
    facility_type_id uuid primary key,
    code             text not null,
    name             text not null,
    description      text,
    display_order    integer,
    active           boolean not null default true,
    version          integer not null default 1,
    updated_at       timestamptz not null default clock_timestamp()
);
create unique index facility_types_code on facility_types (lower(code));

-- A tree: country (level 1) → region → district…; a parent is always at a lower level,
-- which also rules out cycles.
create table geographic_zones (
    zone_id    uuid primary key,
    code       text not null,
    name       text not null,
    level      integer not null check (level >= 1),
    parent_id  uuid references geographic_zones,
    active     boolean not null default true,
    version    integer not null default 1,
    updated_at timestamptz not null default clock_timestamp()
);
create unique index geographic_zones_code on geographic_zones (lower(code));
create index geographic_zones_parent on geographic_zones (parent_id);

-- Rows from 0001 keep null type and zone; the API requires both for new stores.
alter table stores
    add column facility_type_id uuid references facility_types,
    add column zone_id          uuid references geographic_zones,
    add column managed_by       text not null default 'central'
        check (managed_by in ('central', 'site')),
    add column description      text,
    add column address          text,
    add column contact_name     text,
    add column contact_phone    text,
    add column contact_email    text,
    add column version          integer not null default 1,
    add column updated_at       timestamptz not null default clock_timestamp();
create unique index stores_code_ci on stores (lower(code));
create index stores_facility_type on stores (facility_type_id);
create index stores_zone on stores (zone_id);

alter table items
    add column description             text,
    add column dispensing_unit         text not null default 'each',
    add column net_content             integer not null default 1 check (net_content > 0),
    add column pack_rounding_threshold integer not null default 0
        check (pack_rounding_threshold >= 0),
    add column round_to_zero           boolean not null default false,
    -- Not unique: one trade item may back several orderables (e.g. per program).
    add column gtin                    text check (gtin ~ '^([0-9]{8}|[0-9]{12,14})$'),
    add column commodity_type          text,
    add column vvm                     boolean not null default false,
    add column cold_chain              boolean not null default false,
    add column version                 integer not null default 1,
    add column updated_at              timestamptz not null default clock_timestamp();
create unique index items_code_ci on items (lower(code));
create index items_gtin on items (gtin) where gtin is not null;

alter table batches
    add column manufacturer text,
    add column active       boolean not null default true,
    add column version      integer not null default 1,
    add column updated_at   timestamptz not null default clock_timestamp();
create index batches_expiry on batches (expiry_date);

create table locations (
    location_id uuid primary key,
    store_id    uuid not null references stores,
    code        text not null,
    name        text not null,
    cold_chain  boolean not null default false,
    active      boolean not null default true,
    version     integer not null default 1,
    updated_at  timestamptz not null default clock_timestamp(),
    unique (store_id, code)
);

-- Categories and directions as in OpenLMIS stock adjustment reasons. Empty program or
-- facility type lists mean "valid for every one" (programs are owned by requisition: ids only).
create table adjustment_reasons (
    reason_id         uuid primary key,
    name              text not null,
    description       text,
    direction         text not null check (direction in ('credit', 'debit')),
    category          text not null
        check (category in ('transfer', 'adjustment', 'physical_inventory', 'aggregation')),
    free_text_allowed boolean not null default false,
    program_ids       uuid[] not null default '{}',
    facility_type_ids uuid[] not null default '{}',
    active            boolean not null default true,
    version           integer not null default 1,
    updated_at        timestamptz not null default clock_timestamp()
);
create unique index adjustment_reasons_name on adjustment_reasons (lower(name));
create index adjustment_reasons_programs on adjustment_reasons using gin (program_ids);
create index adjustment_reasons_facility_types on adjustment_reasons using gin (facility_type_ids);
