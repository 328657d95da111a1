-- Numbered 19: V17 is the change feed, V18 webhooks.
-- FHIR Bulk Data export jobs (docs/fhir.md "Bulk Data export", docs/decisions.md "FHIR Bulk Data export"): a
-- kick-off stores a job here; worker threads of any server instance on this database claim it (lease_until, in
-- one statement with for update skip locked), write its ndjson files into OPENPLUS_FHIR_EXPORT_DIR and record
-- each finished file and where the next one starts, so that a job whose instance stopped is resumed by another
-- claim from its last finished file (or failed after too many attempts), never lost.
create table fhir_export_job (
    id               char(24)    primary key,
    organization_id  char(24)    not null references organization (id),
    -- The API client that started it: the only one that may poll, cancel or download it.
    client_id        text        not null,
    -- The groups whose patients (and their data) it holds: a group-scoped client's groups, or the one group of
    -- Group/{id}/$export; null: the whole organization.
    scope_groups     char(24)[],
    -- The FHIR types to write, in order.
    types            text[]      not null,
    since            timestamptz,
    -- The kick-off request's URL, echoed in the manifest.
    request          text        not null,
    -- The manifest's transactionTime (docs/decisions.md: the start of the oldest transaction open at kick-off).
    transaction_time timestamptz not null,
    status           text        not null default 'queued'
                                 check (status in ('queued', 'running', 'completed', 'failed')),
    -- Where the writing stands: the index into types, the keyset cursor after the last resource of the last
    -- finished file of that type (null: its start), and the number of the type's next file.
    type_index       integer     not null default 0,
    type_after       text,
    file_number      integer     not null default 1,
    -- The resources written into finished files, for X-Progress.
    written          bigint      not null default 0,
    owner            text,
    lease_until      timestamptz,
    attempts         integer     not null default 0,
    error            text,
    created_at       timestamptz not null default now(),
    finished_at      timestamptz,
    -- Files and job are removed after this (OPENPLUS_FHIR_EXPORT_TTL after kick-off, then after completion).
    expires_at       timestamptz not null
);
create index fhir_export_job_due on fhir_export_job (created_at) where status in ('queued', 'running');
create index fhir_export_job_expiry on fhir_export_job (expires_at);

-- The finished files of a job, in the order they were written (type order, then number).
create table fhir_export_file (
    job_id        char(24) not null references fhir_export_job (id) on delete cascade,
    name          text     not null,
    resource_type text     not null,
    count         bigint   not null,
    ordinal       integer  not null,
    primary key (job_id, name)
);
