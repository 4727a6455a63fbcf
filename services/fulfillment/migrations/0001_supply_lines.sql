-- Supply lines: which facility supplies a supervisory node for a program. Nodes belong to auth,
-- programs to requisition and facilities to inventory: their ids are plain uuids here.
create table supply_lines (
    supply_line_id        uuid primary key,
    supervisory_node_id   uuid not null,
    program_id            uuid not null,
    supplying_facility_id uuid not null,
    description           text check (char_length(description) <= 1000),
    active                boolean not null default true,
    -- Grows with every change: the ETag of the API and the version of the published record.
    version               integer not null check (version >= 1),
    created_at            timestamptz not null,
    updated_at            timestamptz not null
);
-- One active line per node and program: approval ends at the node whose line names the supplier.
create unique index supply_lines_one_active
    on supply_lines (supervisory_node_id, program_id) where active;
create index supply_lines_node on supply_lines (supervisory_node_id, program_id);
create index supply_lines_supplier on supply_lines (supplying_facility_id);
-- Pages are in creation order.
create index supply_lines_created on supply_lines (created_at, supply_line_id);
