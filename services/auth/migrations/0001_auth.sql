-- Auth owns who may do what. Facilities, stores, warehouses and programs belong to other
-- services: their ids are kept as plain uuids, without foreign keys.

create table users (
    user_id          uuid primary key,
    username         text not null,
    email            text,
    active           boolean not null default true,
    home_facility_id uuid,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);
-- Usernames are unique whatever their case: "Amina" and "amina" are one login.
create unique index users_username_ci on users (lower(username));

create table password_credentials (
    user_id      uuid primary key references users on delete cascade,
    hash         text not null,
    changed_at   timestamptz not null default now()
);

create table roles (
    role_id     uuid primary key,
    name        text not null,
    description text,
    right_type  text not null
        check (right_type in ('SUPERVISION', 'ORDER_FULFILLMENT', 'GENERAL_ADMIN', 'REPORTS')),
    rights      text[] not null default '{}'
);
create unique index roles_name_ci on roles (lower(name));

create table supervisory_nodes (
    node_id     uuid primary key,
    code        text not null unique,
    name        text not null,
    facility_id uuid,
    parent_id   uuid references supervisory_nodes
);
create index supervisory_nodes_parent on supervisory_nodes (parent_id);

-- A group of facilities supervised by one node, for the programs listed.
create table requisition_groups (
    group_id    uuid primary key,
    code        text not null unique,
    name        text not null,
    node_id     uuid not null references supervisory_nodes
);
create index requisition_groups_node on requisition_groups (node_id);

create table requisition_group_members (
    group_id    uuid not null references requisition_groups on delete cascade,
    facility_id uuid not null,
    primary key (group_id, facility_id)
);

create table requisition_group_programs (
    group_id   uuid not null references requisition_groups on delete cascade,
    program_id uuid not null,
    primary key (group_id, program_id)
);

-- Scope columns by role type: supervision = program (+ node, else the home facility);
-- fulfillment = warehouse; administration and reports = none. Checked in the domain.
create table role_assignments (
    assignment_id uuid primary key,
    user_id       uuid not null references users on delete cascade,
    role_id       uuid not null references roles,
    program_id    uuid,
    node_id       uuid references supervisory_nodes,
    warehouse_id  uuid
);
-- One row per distinct scope; nulls compare equal here so a duplicate is a conflict.
create unique index role_assignments_scope on role_assignments (
    user_id, role_id,
    coalesce(program_id, '00000000-0000-0000-0000-000000000000'),
    coalesce(node_id, '00000000-0000-0000-0000-000000000000'),
    coalesce(warehouse_id, '00000000-0000-0000-0000-000000000000')
);
create index role_assignments_role on role_assignments (role_id);
create index role_assignments_node on role_assignments (node_id);

-- What was last published per user, so unchanged permissions are not republished.
create sequence permission_versions;
create table published_permissions (
    user_id  uuid primary key references users on delete cascade,
    version  bigint not null,
    digest   text not null
);

create table sites (
    site_id     uuid primary key,
    name        text not null,
    active      boolean not null default true,
    secret_hash text not null,
    store_ids   uuid[] not null default '{}',
    created_at  timestamptz not null default now()
);

create table service_clients (
    client_id   text primary key,
    name        text not null,
    active      boolean not null default true,
    secret_hash text not null,
    rights      text[] not null default '{}',
    created_at  timestamptz not null default now()
);

-- Private keys are AES-GCM encrypted when a key-encryption secret is configured.
create table signing_keys (
    kid         text primary key,
    alg         text not null,
    public_jwk  jsonb not null,
    private_key bytea not null,
    encrypted   boolean not null,
    created_at  timestamptz not null default now(),
    retired_at  timestamptz
);

-- Refresh tokens are stored as sha256 digests: a database leak yields no usable token.
create table refresh_tokens (
    token_hash  bytea primary key,
    family_id   uuid not null,
    user_id     uuid not null references users on delete cascade,
    issued_at   timestamptz not null default now(),
    expires_at  timestamptz not null,
    spent_at    timestamptz,
    revoked_at  timestamptz
);
create index refresh_tokens_family on refresh_tokens (family_id);
create index refresh_tokens_user on refresh_tokens (user_id);

create table login_failures (
    id        bigint generated always as identity primary key,
    subject   text not null,
    address   text not null,
    failed_at timestamptz not null default now()
);
create index login_failures_subject on login_failures (subject, failed_at);
create index login_failures_address on login_failures (address, failed_at);
