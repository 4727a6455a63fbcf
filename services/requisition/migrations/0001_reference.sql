-- Requisition's own reference data: programs, their products, the products each facility type
-- may order, schedules and periods, which schedule each requisition group follows, templates
-- and ideal stock amounts. Each row carries a version that grows with every change; the
-- admin API's If-Match and the published records' versions are that number.
create table programs (
    program_id          uuid primary key,
    code                text not null unique,
    name                text not null,
    description         text,
    periods_skippable   boolean not null default false,
    skip_authorization  boolean not null default false,
    report_only         boolean not null default false,
    active              boolean not null default true,
    version             integer not null default 1,
    updated_at          timestamptz not null default now()
);

-- A product ordered under a program. Pack size, rounding threshold and round-to-zero are the
-- item's (inventory owns them: one owner per fact); price and category are the program's.
create table program_orderables (
    program_id      uuid not null references programs,
    orderable_id    uuid not null,
    full_supply     boolean not null default true,
    price_per_pack  numeric(18, 4) check (price_per_pack >= 0),
    category        text not null default 'Other',
    display_order   integer not null default 0,
    active          boolean not null default true,
    version         integer not null default 1,
    updated_at      timestamptz not null default now(),
    primary key (program_id, orderable_id)
);

-- Facility type approved products: what a type of facility orders under a program, and how much
-- stock it keeps (periods of stock, OpenLMIS's max/min "months of stock" per period length).
create table approved_products (
    facility_type_id       uuid not null,
    program_id             uuid not null references programs,
    orderable_id           uuid not null,
    max_periods_of_stock   numeric(8, 2) not null check (max_periods_of_stock >= 0),
    min_periods_of_stock   numeric(8, 2) check (min_periods_of_stock >= 0),
    emergency_order_point  numeric(8, 2) check (emergency_order_point >= 0),
    active                 boolean not null default true,
    version                integer not null default 1,
    updated_at             timestamptz not null default now(),
    primary key (facility_type_id, program_id, orderable_id)
);
create index approved_products_program on approved_products (program_id, facility_type_id);

create table schedules (
    schedule_id  uuid primary key,
    code         text not null unique,
    name         text not null,
    description  text,
    version      integer not null default 1,
    updated_at   timestamptz not null default now()
);

create table periods (
    period_id    uuid primary key,
    schedule_id  uuid not null references schedules,
    name         text not null,
    start_date   date not null,
    end_date     date not null check (end_date >= start_date),
    version      integer not null default 1,
    unique (schedule_id, start_date)
);

-- Which schedule a requisition group (auth's) follows for a program.
create table group_schedules (
    group_id     uuid not null,
    program_id   uuid not null references programs,
    schedule_id  uuid not null references schedules,
    version      integer not null default 1,
    primary key (group_id, program_id)
);

-- A template per program, optionally for some facility types (none: the program's default).
-- columns: {"<name>": {"source": "USER_INPUT|CALCULATED|REFERENCE_DATA|STOCK_CARDS",
--                      "displayed": true}}
create table templates (
    template_id         uuid primary key,
    program_id          uuid not null references programs,
    facility_type_ids   uuid[] not null default '{}',
    name                text not null,
    columns             jsonb not null,
    periods_to_average  integer check (periods_to_average >= 2),
    stock_based         boolean not null default false,
    active              boolean not null default true,
    version             integer not null default 1,
    updated_at          timestamptz not null default now()
);
create index templates_program on templates (program_id);

-- Ideal stock amounts (ISA): per facility, item (the commodity) and period.
create table ideal_stock_amounts (
    facility_id   uuid not null,
    orderable_id  uuid not null,
    period_id     uuid not null references periods,
    amount        integer not null check (amount >= 0),
    version       integer not null default 1,
    primary key (facility_id, orderable_id, period_id)
);
