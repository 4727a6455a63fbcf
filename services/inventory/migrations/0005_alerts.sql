-- AMC look-back and alert thresholds, the alerts that are active now, and the sweep's turn.

-- Settings per store and/or program; null means "any". The most specific row wins for a store
-- and item: store + program, then store, then program, then the default row (null, null).
create table stock_settings (
    store_id             uuid references stores,
    program_id           uuid,
    look_back_months     numeric not null default 3 check (look_back_months > 0),
    min_mos              numeric not null default 3 check (min_mos >= 0),
    max_mos              numeric not null default 6,
    expiring_within_days integer not null default 90 check (expiring_within_days >= 0),
    updated_at           timestamptz not null default clock_timestamp(),
    check (min_mos <= max_mos),
    unique nulls not distinct (store_id, program_id)
);
insert into stock_settings (store_id, program_id) values (null, null);

-- Which programs an item belongs to, to pick its program's settings. Programs are requisition's;
-- this is the read model inventory keeps of its program orderables (ids only).
create table stock_program_items (
    program_id uuid not null,
    item_id    uuid not null references items,
    primary key (item_id, program_id)
);

-- The alerts on now. Identity is (store, item, batch, kind); the figures are those at start.
create table active_alerts (
    alert_id     uuid primary key,
    kind         text not null,
    store_id     uuid not null references stores,
    item_id      uuid not null references items,
    batch_id     uuid references batches,
    started_at   timestamptz not null,
    stock_on_hand bigint not null,
    amc          numeric,
    mos          numeric,
    expiry_date  date,
    unique nulls not distinct (store_id, item_id, batch_id, kind)
);
create index active_alerts_kind on active_alerts (kind, store_id);

-- When the periodic re-evaluation last started: one instance claims each turn.
create table alert_sweeps (
    name            text primary key,
    last_started_at timestamptz not null
);
