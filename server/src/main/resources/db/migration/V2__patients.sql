-- Patients, their groups and coaches, and identifiers.

create table patient (
    id               char(24)    primary key,
    organization_id  char(24)    not null references organization (id),
    first_name       text,
    last_name        text,
    email_address    text,
    phone_numbers    jsonb       not null default '[]',
    addresses        jsonb       not null default '[]',
    -- A copy of the patient's identifiers for reading in one statement; patient_identifier is the truth for
    -- lookups and uniqueness.
    identifiers      jsonb       not null default '[]',
    birth_date       date,
    gender           text        check (gender in ('male', 'female', 'other')),
    note             text,
    first_access_at  timestamptz,
    invited_at       timestamptz,
    enrolled_at      timestamptz,
    last_access_at   timestamptz,
    -- Derived from the latest archive_history entry; kept here so that filter[archived] uses an index.
    archived         boolean     not null default false,
    archive_history  jsonb       not null default '[]',
    statement        jsonb,
    created_at       timestamptz not null default now(),
    created_by       text,
    updated_at       timestamptz not null default now(),
    updated_by       text
);
create index patient_org_id on patient (organization_id, id);
create index patient_org_created on patient (organization_id, created_at, id);
create index patient_org_updated on patient (organization_id, updated_at, id);
create index patient_org_last_name on patient (organization_id, last_name, id);
create index patient_org_first_name on patient (organization_id, first_name, id);
create index patient_org_archived on patient (organization_id, archived, id);

create table patient_group_member (
    patient_id      char(24) not null references patient (id) on delete cascade,
    group_id        char(24) not null references patient_group (id),
    organization_id char(24) not null references organization (id),
    primary key (patient_id, group_id)
);
create index patient_group_member_group on patient_group_member (group_id, patient_id);

create table patient_coach (
    patient_id      char(24) not null references patient (id) on delete cascade,
    coach_id        char(24) not null references coach (id),
    organization_id char(24) not null references organization (id),
    is_primary      boolean  not null default false,
    primary key (patient_id, coach_id)
);
create index patient_coach_coach on patient_coach (coach_id, patient_id);
create unique index patient_coach_one_primary on patient_coach (patient_id) where is_primary;

-- Identifiers of patients (and, later, coaches). An identifier marked unique is unique by (system, value)
-- across the whole installation; the partial unique index makes concurrent creates race safely.
create table patient_identifier (
    patient_id      char(24) not null references patient (id) on delete cascade,
    organization_id char(24) not null references organization (id),
    position        integer  not null,
    label           text,
    system          text     not null,
    value           text     not null,
    is_unique       boolean  not null default true,
    primary key (patient_id, position)
);
create unique index patient_identifier_unique on patient_identifier (system, value) where is_unique;
create index patient_identifier_lookup on patient_identifier (organization_id, system, value);
