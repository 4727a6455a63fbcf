-- Requisitions: program requisitions (periodic, approved up the supervision tree) and internal
-- orders (store to store; the supplier sees a customer requisition), one model.
create table requisitions (
    requisition_id          uuid primary key,
    kind                    text not null check (kind in ('PROGRAM', 'INTERNAL_ORDER')),
    facility_id             uuid not null,
    program_id              uuid,
    period_id               uuid,
    emergency               boolean not null default false,
    status                  text not null,
    version                 integer not null,
    node_id                 uuid,
    supplying_facility_id   uuid,
    template_id             uuid,
    max_months_of_stock     numeric(8, 2),
    min_months_of_stock     numeric(8, 2),
    comment                 text,
    created_by              text not null,
    created_at              timestamptz not null,
    updated_at              timestamptz not null
);
-- One regular requisition per facility, program and period (emergencies are extra).
create unique index requisitions_regular on requisitions (facility_id, program_id, period_id)
    where kind = 'PROGRAM' and not emergency;
create index requisitions_status on requisitions (status, program_id);
create index requisitions_node on requisitions (node_id) where node_id is not null;
create index requisitions_supplier on requisitions (supplying_facility_id, status);

create table requisition_lines (
    requisition_id           uuid not null references requisitions on delete cascade,
    orderable_id             uuid not null,
    position                 integer not null,
    full_supply              boolean not null default true,
    beginning_balance        bigint,
    received                 bigint,
    consumed                 bigint,
    losses_and_adjustments   bigint,
    stock_on_hand            bigint,
    stockout_days            integer,
    total                    bigint,
    adjusted_consumption     bigint,
    average_consumption      bigint,
    maximum_stock            bigint,
    additional               bigint,
    ideal_stock_order        bigint,
    average_monthly_consumption  numeric(18, 4),
    months_of_stock          numeric(18, 4),
    calculated               bigint not null,
    requested                bigint,
    explanation              text,
    approved                 bigint,
    remarks                  text,
    pack_size                integer not null,
    rounding_threshold       integer not null,
    round_to_zero            boolean not null,
    price_per_pack           numeric(18, 4),
    primary key (requisition_id, orderable_id)
);

create table requisition_history (
    requisition_id  uuid not null references requisitions on delete cascade,
    step            integer not null,
    status          text not null,
    actor           text not null,
    at              timestamptz not null,
    node_id         uuid,
    reason          text,
    primary key (requisition_id, step)
);
