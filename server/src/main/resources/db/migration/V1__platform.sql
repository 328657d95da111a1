-- Platform: organizations (tenants), groups, coaches, API clients and OAuth tokens.
-- Every tenant-owned row carries organization_id, and lists page on (organization_id, sort key, id).

create table organization (
    id          char(24)    primary key,
    name        text        not null,
    created_at  timestamptz not null default now(),
    created_by  text,
    updated_at  timestamptz not null default now(),
    updated_by  text
);

-- "group" is a reserved word; the table holds the reference's group resource.
create table patient_group (
    id              char(24)    primary key,
    organization_id char(24)    not null references organization (id),
    name            text        not null,
    bio             text,
    created_at      timestamptz not null default now(),
    created_by      text,
    updated_at      timestamptz not null default now(),
    updated_by      text
);
create index patient_group_org_id on patient_group (organization_id, id);
create index patient_group_org_name on patient_group (organization_id, name, id);
create index patient_group_org_created on patient_group (organization_id, created_at, id);
create index patient_group_org_updated on patient_group (organization_id, updated_at, id);

create table coach (
    id              char(24)    primary key,
    organization_id char(24)    not null references organization (id),
    first_name      text,
    last_name       text,
    created_at      timestamptz not null default now(),
    created_by      text,
    updated_at      timestamptz not null default now(),
    updated_by      text
);
create index coach_org_id on coach (organization_id, id);
create index coach_org_last_name on coach (organization_id, last_name, id);
create index coach_org_created on coach (organization_id, created_at, id);
create index coach_org_updated on coach (organization_id, updated_at, id);

create table coach_group (
    coach_id        char(24) not null references coach (id) on delete cascade,
    group_id        char(24) not null references patient_group (id),
    organization_id char(24) not null references organization (id),
    primary key (coach_id, group_id)
);
create index coach_group_group on coach_group (group_id, coach_id);

create table api_client (
    client_id       text        primary key,
    organization_id char(24)    not null references organization (id),
    secret_hash     text        not null,
    scope           text        not null check (scope in ('organization', 'group')),
    created_at      timestamptz not null default now(),
    revoked_at      timestamptz
);
create index api_client_org on api_client (organization_id, created_at);

create table api_client_group (
    client_id text     not null references api_client (client_id),
    group_id  char(24) not null references patient_group (id),
    primary key (client_id, group_id)
);

-- One row per issued token pair. A refresh creates a new row in the same family and retires the old
-- refresh token; presenting a retired refresh token again revokes the whole family.
create table oauth_token (
    id                 char(24)    primary key,
    client_id          text        not null references api_client (client_id),
    family_id          char(24)    not null,
    access_token_hash  bytea       not null unique,
    refresh_token_hash bytea       not null unique,
    access_expires_at  timestamptz not null,
    refresh_expires_at timestamptz not null,
    refreshed_at       timestamptz,
    revoked_at         timestamptz,
    created_at         timestamptz not null default now()
);
create index oauth_token_family on oauth_token (family_id);
create index oauth_token_client on oauth_token (client_id);
