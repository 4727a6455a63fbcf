-- Each site's sync status as the hub saw it: its last push and pull (one upsert per request),
-- the backlog its gateway reported then, and the documents of it central refused (counted
-- by the feed builder as each refusal first reaches the site's feed, or at the door).
create table site_sync_status (
    site_id            uuid primary key,
    last_contact_at    timestamptz,
    last_push_at       timestamptz,
    last_pull_at       timestamptz,
    -- As the gateway last reported them (null: it never did, e.g. an older gateway).
    backlog            bigint check (backlog >= 0),
    oldest_unsynced_at timestamptz,
    backlog_at         timestamptz,
    refusals           bigint not null default 0 check (refusals >= 0),
    last_refusal_at    timestamptz
);
