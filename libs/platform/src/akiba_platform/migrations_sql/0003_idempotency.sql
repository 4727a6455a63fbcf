-- Idempotency keys of HTTP writes, per caller (scope: the principal's kind and subject).
-- A row is inserted in the transaction of the write's effect (status null), then given the
-- answer; the key itself is not kept, only its SHA-256, and the answer's body is sealed
-- with a key derived from it. Rows live at least the retention setting (24 h by default).
create table idempotency_keys (
    scope        text        not null,
    key_hash     bytea       not null,
    fingerprint  bytea       not null,
    status       integer,
    content_type text,
    body         bytea,
    created_at   timestamptz not null default now(),
    primary key (scope, key_hash)
);
create index idempotency_keys_created_at on idempotency_keys (created_at);
