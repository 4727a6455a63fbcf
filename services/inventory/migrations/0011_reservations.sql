-- Reservations for shipments (issue 14): fulfillment allocates lots FEFO and publishes the
-- allocation; inventory reserves what is available (available drops, on hand does not) and
-- releases it when the shipment ships (the issue is posted then) or is cancelled.

-- Grows with every change of a line (movement, reservation, hold), so a reader that learns a
-- line's state from two topics (levels and reservation answers) keeps the newer one.
alter table stock_on_hand add column revision bigint not null default 0;

create table reservations (
    shipment_id uuid not null,
    line_id     uuid not null,
    store_id    uuid not null,
    item_id     uuid not null,
    batch_id    uuid,
    location_id uuid,
    quantity    bigint not null check (quantity >= 0),
    reserved_at timestamptz not null default clock_timestamp(),
    primary key (shipment_id, line_id)
);
create index reservations_line on reservations (store_id, item_id, batch_id, location_id);

-- Each shipment's allocation, cancellation, issue and receipt applies once: the consumer's
-- inbox dedupes event ids, this remembers which steps of a shipment were applied (a step
-- replayed under another event id, e.g. by a restore, changes nothing).
create table shipment_steps (
    shipment_id uuid not null,
    step        text not null,
    applied_at  timestamptz not null default clock_timestamp(),
    primary key (shipment_id, step)
);
