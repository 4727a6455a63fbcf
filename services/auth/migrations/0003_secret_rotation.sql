-- A rotated secret: the one it replaced keeps working until `previous_secret_until`, so a site
-- that is offline when the operator rotates can still sync while its new secret is installed.
alter table sites
    add column previous_secret_hash  text,
    add column previous_secret_until timestamptz;
alter table service_clients
    add column previous_secret_hash  text,
    add column previous_secret_until timestamptz;
