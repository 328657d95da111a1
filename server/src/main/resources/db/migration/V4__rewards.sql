-- Rewards: programs for a group, their activations for patients, rewards allocated from an activation's
-- budget, one earning per reward and one fulfillment per earning. Values derived from a parent (units,
-- the patient, the group) and running totals are stored columns written in the same transaction as the
-- rows they derive from, so that they are filterable and always agree with the rows.

create table reward_program (
    id                char(24)    primary key,
    organization_id   char(24)    not null references organization (id),
    group_id          char(24)    not null references patient_group (id),
    name              text        not null,
    tagline           text,
    description       text,
    start_at          timestamptz not null,
    end_at            timestamptz not null,
    budget_value      numeric     not null check (budget_value > 0),
    budget_unit       text        not null check (budget_unit in ('dollar', 'point', 'credit')),
    duration_active   numeric     not null check (duration_active > 0),
    fulfill_as_earned boolean     not null,
    frozen            boolean     not null,
    created_at        timestamptz not null default now(),
    created_by        text,
    updated_at        timestamptz not null default now(),
    updated_by        text,
    check (end_at > start_at)
);
create index reward_program_org_id on reward_program (organization_id, id);
create index reward_program_group on reward_program (organization_id, group_id, id);
create index reward_program_org_name on reward_program (organization_id, name, id);
create index reward_program_org_start on reward_program (organization_id, start_at, id);
create index reward_program_org_created on reward_program (organization_id, created_at, id);
create index reward_program_org_updated on reward_program (organization_id, updated_at, id);

create table reward_program_activation (
    id                    char(24)    primary key,
    organization_id       char(24)    not null references organization (id),
    program_id            char(24)    not null references reward_program (id),
    patient_id            char(24)    not null references patient (id),
    group_id              char(24)    not null references patient_group (id),
    activated_at          timestamptz not null,
    deactivated_at        timestamptz,
    expires_at            timestamptz not null,
    fulfill_as_earned     boolean     not null,
    budget_unit           text        not null,
    budget_value          numeric     not null,
    allocated_count       integer     not null default 0,
    total_allocated_value numeric     not null default 0,
    earned_count          integer     not null default 0,
    total_earned_value    numeric     not null default 0,
    created_at            timestamptz not null default now(),
    created_by            text,
    updated_at            timestamptz not null default now(),
    updated_by            text,
    -- One activation per patient and program; the budget can never be over-allocated.
    unique (program_id, patient_id),
    check (total_allocated_value <= budget_value),
    check (deactivated_at > activated_at)
);
create index reward_activation_org_id on reward_program_activation (organization_id, id);
create index reward_activation_patient on reward_program_activation (organization_id, patient_id, id);
create index reward_activation_group on reward_program_activation (organization_id, group_id, id);
create index reward_activation_org_activated on reward_program_activation (organization_id, activated_at, id);
create index reward_activation_org_created on reward_program_activation (organization_id, created_at, id);
create index reward_activation_org_updated on reward_program_activation (organization_id, updated_at, id);

create table reward (
    id              char(24)    primary key,
    organization_id char(24)    not null references organization (id),
    activation_id   char(24)    not null references reward_program_activation (id),
    patient_id      char(24)    not null references patient (id),
    group_id        char(24)    not null references patient_group (id),
    thread          text,
    description     text        not null,
    allocated_value numeric     not null check (allocated_value > 0),
    allocated_unit  text        not null,
    allocated_at    timestamptz not null,
    target_at       timestamptz,
    earned_value    numeric,
    earned_at       timestamptz,
    fulfilled_value numeric,
    fulfilled_at    timestamptz,
    created_at      timestamptz not null default now(),
    created_by      text,
    updated_at      timestamptz not null default now(),
    updated_by      text,
    check (target_at >= allocated_at)
);
create index reward_org_id on reward (organization_id, id);
create index reward_patient on reward (organization_id, patient_id, id);
create index reward_group on reward (organization_id, group_id, id);
create index reward_activation on reward (activation_id, id);
create index reward_thread on reward (organization_id, thread, id);
create index reward_org_allocated on reward (organization_id, allocated_at, id);
create index reward_org_created on reward (organization_id, created_at, id);
create index reward_org_updated on reward (organization_id, updated_at, id);

create table reward_earning (
    id                    char(24)    primary key,
    organization_id       char(24)    not null references organization (id),
    reward_id             char(24)    not null unique references reward (id),
    activation_id         char(24)    not null references reward_program_activation (id),
    patient_id            char(24)    not null references patient (id),
    group_id              char(24)    not null references patient_group (id),
    earned_value          numeric     not null check (earned_value >= 0),
    earned_unit           text        not null,
    earned_at             timestamptz not null,
    ready_for_fulfillment boolean     not null,
    fulfilled_value       numeric,
    fulfilled_at          timestamptz,
    created_at            timestamptz not null default now(),
    created_by            text,
    updated_at            timestamptz not null default now(),
    updated_by            text
);
create index reward_earning_org_id on reward_earning (organization_id, id);
create index reward_earning_patient on reward_earning (organization_id, patient_id, id);
create index reward_earning_group on reward_earning (organization_id, group_id, id);
create index reward_earning_activation on reward_earning (activation_id);
create index reward_earning_org_earned on reward_earning (organization_id, earned_at, id);
create index reward_earning_org_created on reward_earning (organization_id, created_at, id);
create index reward_earning_org_updated on reward_earning (organization_id, updated_at, id);

create table reward_earning_fulfillment (
    id              char(24)    primary key,
    organization_id char(24)    not null references organization (id),
    earning_id      char(24)    not null unique references reward_earning (id),
    patient_id      char(24)    not null references patient (id),
    fulfilled_value numeric     not null check (fulfilled_value >= 0),
    fulfilled_unit  text        not null,
    fulfilled_at    timestamptz not null,
    created_at      timestamptz not null default now(),
    created_by      text,
    updated_at      timestamptz not null default now(),
    updated_by      text
);
create index reward_fulfillment_org_id on reward_earning_fulfillment (organization_id, id);
create index reward_fulfillment_patient on reward_earning_fulfillment (organization_id, patient_id, id);
create index reward_fulfillment_org_fulfilled on reward_earning_fulfillment (organization_id, fulfilled_at, id);
create index reward_fulfillment_org_created on reward_earning_fulfillment (organization_id, created_at, id);
create index reward_fulfillment_org_updated on reward_earning_fulfillment (organization_id, updated_at, id);
