-- Stocktakes: a snapshot of stock on hand taken under the store's lock (so it is the ledger as
-- of `snapshot_sequence`), counts entered over time, and on finalising the variances posted as
-- `stocktake_balance` movements (referencing `stocktake:<id>`). Empty scope arrays mean "all".
create table stocktakes (
    stocktake_id      uuid primary key,
    store_id          uuid not null references stores,
    status            text not null default 'draft'
        check (status in ('draft', 'counting', 'finalised')),
    snapshot_sequence bigint not null,
    item_ids          uuid[] not null default '{}',
    location_ids      uuid[] not null default '{}',
    program_id        uuid,
    reference         text,
    created_by        text not null,
    created_at        timestamptz not null default clock_timestamp(),
    updated_at        timestamptz not null default clock_timestamp(),
    finalised_by      text,
    finalised_at      timestamptz,
    adjustments       integer
);
create index stocktakes_store on stocktakes (store_id, created_at desc);

-- One row per stock line counted or snapshotted. `expected` and `movement_id` are fixed when
-- the stocktake is finalised; before that the expected quantity is computed from the ledger.
create table stocktake_lines (
    stocktake_id uuid not null references stocktakes,
    item_id      uuid not null references items,
    batch_id     uuid not null references batches,
    location_id  uuid references locations,
    snapshot     bigint not null,
    counted      bigint check (counted >= 0),
    reason_id    uuid references adjustment_reasons,
    counted_by   text,
    counted_at   timestamptz,
    expected     bigint,
    movement_id  uuid,
    unique nulls not distinct (stocktake_id, item_id, batch_id, location_id)
);
