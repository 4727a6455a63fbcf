-- One writer per store: a store is managed by at most one site, enforced by a primary key (the
-- store_ids array stays the site's published view). Moving a store is an explicit hand-over.
create table site_stores (
    store_id uuid primary key,
    site_id  uuid not null references sites
);
insert into site_stores (store_id, site_id)
select distinct on (store_id) store_id, site_id
  from (select unnest(store_ids) as store_id, site_id, created_at from sites) s
 order by store_id, created_at;
-- A store listed by two sites before this rule keeps its oldest site only.
update sites set store_ids = array(
    select x from unnest(sites.store_ids) as x
     where (select ss.site_id from site_stores ss where ss.store_id = x) = sites.site_id
);

-- Every change to sites takes the next version (one per change, shared by the records a
-- hand-over rewrites), so a reader can tell an old record of a site from a newer one.
create sequence site_versions;
alter table sites add column version bigint not null default nextval('site_versions');
