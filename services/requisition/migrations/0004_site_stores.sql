-- Which stores are written at a site, as auth says (auth.sites): their requisitions' store-side
-- steps arrive from that site only, and central's API refuses them. A site's older record
-- changes nothing; versions also order records of different sites read in any order (a
-- hand-over rewrites both sites at one version).
create table sites (
    site_id  uuid primary key,
    active   boolean not null,
    version  bigint not null  -- 0: a record published before auth versioned them
);

-- No reference to facilities: auth may name a store before inventory's record of it arrives.
create table site_stores (
    store_id  uuid primary key,
    site_id   uuid,  -- null: written centrally (its site gave it up)
    version   bigint not null
);
