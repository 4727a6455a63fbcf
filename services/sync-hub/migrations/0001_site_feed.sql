-- The sites' downstream feed: the latest value of each (scope, kind, key), renumbered from one
-- sequence on every change, so "entries of my scopes with seq > cursor" is all a site lacks.
-- Scopes: 'global' (items, batches, reasons, facility types, zones), 'store:<id>' (a store's
-- facility record, locations, stock levels, acks, rejections), 'site:<id>' (the site record).
create sequence site_feed_seq;

create table site_feed (
    scope      text not null,
    kind       text not null,
    key        text not null,
    seq        bigint not null default nextval('site_feed_seq'),
    event_type text,
    data       jsonb,
    changed_at timestamptz not null default now(),
    primary key (scope, kind, key)
);

-- A pull is one index range scan per scope: scope = $s and seq > $cursor order by seq.
create unique index site_feed_scope_seq on site_feed (scope, seq);

-- Which stores each site manages, as auth last published (auth.sites): the scopes of a pull.
create table feed_sites (
    site_id    uuid primary key,
    active     boolean not null,
    store_ids  uuid[] not null,
    changed_at timestamptz not null default now()
);
