-- The transactional outbox: rows written in the same transaction as the change they announce.
-- xid records the writing transaction so the relay reads only rows below the oldest running one.
create table outbox (
    id          bigint generated always as identity primary key,
    xid         xid8        not null default pg_current_xact_id(),
    topic       text        not null,
    key         text        not null,
    event_id    uuid        not null,
    event_type  text        not null,
    traceparent text,
    value       bytea       not null,
    created_at  timestamptz not null default clock_timestamp()
);

-- The inbox: one row per (consumer, event) applied, written in the effect's transaction.
create table inbox (
    consumer     text        not null,
    event_id     uuid        not null,
    dead_letter  boolean     not null default false,
    processed_at timestamptz not null default clock_timestamp(),
    primary key (consumer, event_id)
);
