-- What requisition learns from other services' topics (never by calling them): stores and items
-- from inventory, the supervision tree from auth, supply lines from fulfillment. A record is
-- taken only when its version is newer than the one held (compacted topics replay).
create table facilities (
    facility_id       uuid primary key,
    code              text not null,
    name              text not null,
    facility_type_id  uuid,
    active            boolean not null,
    version           integer not null
);

create table orderables (
    orderable_id              uuid primary key,
    code                      text not null,
    name                      text not null,
    dispensing_unit           text not null,
    net_content               integer not null,
    pack_rounding_threshold   integer not null,
    round_to_zero             boolean not null,
    program_ids               uuid[] not null default '{}',
    active                    boolean not null,
    version                   integer not null
);

create table supervisory_nodes (
    node_id      uuid primary key,
    code         text not null,
    name         text not null,
    facility_id  uuid,
    parent_id    uuid,
    active       boolean not null,
    changed_at   timestamptz not null
);

create table requisition_groups (
    group_id      uuid primary key,
    code          text not null,
    node_id       uuid not null,
    facility_ids  uuid[] not null,
    program_ids   uuid[] not null,
    active        boolean not null,
    changed_at    timestamptz not null
);
create index requisition_groups_facilities on requisition_groups using gin (facility_ids);

create table supply_lines (
    supply_line_id          uuid primary key,
    node_id                 uuid not null,
    program_id              uuid not null,
    supplying_facility_id   uuid not null,
    active                  boolean not null,
    version                 integer not null
);
create index supply_lines_node on supply_lines (node_id, program_id) where active;

-- The stock ledger by day: each store's movements of each item summed per day and kind, from
-- inventory.stock-movements. Balances are running sums of `net` at read time, so a movement
-- recorded late (a site back online) lands on the day it happened and every balance after it
-- is right without rewriting anything.
create table movement_days (
    store_id     uuid not null,
    item_id      uuid not null,
    day          date not null,
    received     bigint not null default 0,  -- receipts, transfers and shipments in
    consumed     bigint not null default 0,  -- issues, transfers and shipments out
    adjusted     bigint not null default 0,  -- adjustments and stocktake balances, signed
    net          bigint not null default 0,  -- every movement, signed (location moves net to 0)
    primary key (store_id, item_id, day)
);
