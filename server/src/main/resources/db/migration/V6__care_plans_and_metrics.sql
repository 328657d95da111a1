-- Care plans (one plan summary per patient, its actions and bundles), patient health metrics and results.
-- Every row carries organization_id and patient_id: the tenant rule (organization, and for group-scoped
-- clients the patient's groups) is one indexed condition on each table.

create table patient_plan_summary (
    id                        char(24)    primary key,
    organization_id           char(24)    not null references organization (id),
    patient_id                char(24)    not null unique references patient (id) on delete cascade,
    critical                  jsonb,
    time_zone                 text        not null default 'UTC',
    window_order              jsonb       not null default '[]',
    effective_from            timestamptz not null default now(),
    window_notification_times jsonb       not null
        default '{"morning": 25200, "afternoon": 43200, "evening": 64800, "night": 75600}',
    created_at                timestamptz not null default now(),
    created_by                text,
    updated_at                timestamptz not null default now(),
    updated_by                text
);
create index patient_plan_summary_org_id on patient_plan_summary (organization_id, id);
create index patient_plan_summary_org_created on patient_plan_summary (organization_id, created_at, id);
create index patient_plan_summary_org_updated on patient_plan_summary (organization_id, updated_at, id);

-- Patients created before this migration get their plan summary here (new ones get it with the patient).
insert into patient_plan_summary (id, organization_id, patient_id, effective_from)
select lpad(to_hex(floor(extract(epoch from clock_timestamp()))::bigint), 8, '0') || substr(md5(random()::text || p.id), 1, 16),
       p.organization_id, p.id, p.created_at
from patient p;

create table action (
    id                      char(24)    primary key,
    organization_id         char(24)    not null references organization (id),
    patient_id              char(24)    not null references patient (id) on delete cascade,
    plan_id                 char(24)    not null references patient_plan_summary (id) on delete cascade,
    type                    text        not null,
    title                   text        not null,
    static_title            text        not null,
    effective_from          timestamptz not null,
    effective_to            timestamptz check (effective_to is null or effective_to >= effective_from),
    tracking                boolean     not null default true,
    thread                  text        not null,
    frequency_goal          jsonb,
    frequency_goal_prorated integer     not null default 0,
    identifiers             jsonb       not null default '[]',
    details                 jsonb,
    intake                  jsonb,
    metric_required         boolean     not null default false,
    metrics                 jsonb       not null default '[]',
    windows                 jsonb       not null default '[]',
    options                 jsonb       not null default '[]',
    created_at              timestamptz not null default now(),
    created_by              text,
    updated_at              timestamptz not null default now(),
    updated_by              text
);
create index action_org_id on action (organization_id, id);
create index action_plan on action (plan_id, id);
-- Finds the action tracking a metric type for a patient at a time (results of metrics).
create index action_patient_type on action (patient_id, type, effective_from);

create table bundle (
    id              char(24)    primary key,
    organization_id char(24)    not null references organization (id),
    patient_id      char(24)    not null references patient (id) on delete cascade,
    plan_id         char(24)    not null references patient_plan_summary (id) on delete cascade,
    type            text        not null,
    title           text        not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz check (effective_to is null or effective_to >= effective_from),
    thread          text,
    created_at      timestamptz not null default now(),
    created_by      text,
    updated_at      timestamptz not null default now(),
    updated_by      text
);
create index bundle_org_id on bundle (organization_id, id);
create index bundle_plan on bundle (plan_id, id);

-- Bundle membership, read from both sides: action.bundles and bundle.actions are this one table.
create table bundle_action (
    bundle_id       char(24) not null references bundle (id) on delete cascade,
    action_id       char(24) not null references action (id) on delete cascade,
    organization_id char(24) not null references organization (id),
    primary key (bundle_id, action_id)
);
create index bundle_action_action on bundle_action (action_id, bundle_id);

create table patient_health_metric (
    id              char(24)    primary key,
    organization_id char(24)    not null references organization (id),
    patient_id      char(24)    not null references patient (id) on delete cascade,
    type            text        not null,
    code            jsonb,
    value           numeric,
    systolic        numeric,
    diastolic       numeric,
    unit            text,
    occurred_at     timestamptz not null,
    created_at      timestamptz not null default now(),
    created_by      text,
    updated_at      timestamptz not null default now(),
    updated_by      text
);
create index patient_health_metric_org_id on patient_health_metric (organization_id, id);
create index patient_health_metric_org_patient on patient_health_metric (organization_id, patient_id, id);
create index patient_health_metric_org_created on patient_health_metric (organization_id, created_at, id);
create index patient_health_metric_org_updated on patient_health_metric (organization_id, updated_at, id);
create index patient_health_metric_org_occurred on patient_health_metric (organization_id, occurred_at, id);
-- meta.ignore_duplicates looks metrics up by (patient, type, occurred_at).
create index patient_health_metric_duplicate on patient_health_metric (patient_id, type, occurred_at);

create table result (
    id                    char(24)    primary key,
    organization_id       char(24)    not null references organization (id),
    patient_id            char(24)    not null references patient (id) on delete cascade,
    action_id             char(24)    references action (id) on delete set null,
    metric_id             char(24)    references patient_health_metric (id) on delete cascade,
    type                  text        not null,
    metric_type           text,
    data                  jsonb       not null default '{}',
    occurred_at           timestamptz not null,
    occurred_at_time_zone text,
    "window"              text,
    skipped               boolean     not null default false,
    annotations           jsonb       not null default '[]',
    channel               text,
    external_id           text,
    source                jsonb       not null default '{}',
    thread                text,
    aggregation           text,
    created_at            timestamptz not null default now(),
    created_by            text,
    updated_at            timestamptz not null default now(),
    updated_by            text
);
create index result_org_id on result (organization_id, id);
create index result_org_patient on result (organization_id, patient_id, id);
create index result_org_patient_occurred on result (organization_id, patient_id, occurred_at, id);
create index result_org_created on result (organization_id, created_at, id);
create index result_org_updated on result (organization_id, updated_at, id);
-- An action's latest result (current_results) and its adherence.
create index result_action_occurred on result (action_id, occurred_at desc, id desc);

-- Linkage of a plan summary, read as correlated arrays like any join table.
create view plan_action as select plan_id, id as action_id from action;
create view plan_bundle as select plan_id, id as bundle_id from bundle;
create view plan_current_result as
    select a.plan_id, latest.id as result_id
    from action a
    cross join lateral (select r.id from result r where r.action_id = a.id
                        order by r.occurred_at desc, r.id desc limit 1) latest;

-- Adherence of an action, computed at read time from its results, in its plan's time zone:
--   due      = scheduled local days (frequency_goal.weeks.days; every day when none are given) from the
--              local day of effective_from through today, or through the local day of effective_to;
--   complete = the due days with at least one result of the action that is not skipped;
--   streak   = the latest run of complete due days (today, while not yet complete, does not break it);
--              updated_at = occurred_at of the first result of the run's latest day.
create function action_adherence(p_action char(24)) returns jsonb language sql stable as $$
    with bounds as (
        select (a.effective_from at time zone p.time_zone)::date as first_day,
               least((now() at time zone p.time_zone)::date,
                     coalesce((a.effective_to at time zone p.time_zone)::date, 'infinity'::date)) as last_day,
               (now() at time zone p.time_zone)::date as today,
               p.time_zone as tz,
               coalesce((select array_agg(d::int) from jsonb_array_elements_text(
                            case when jsonb_typeof(a.frequency_goal -> 'weeks' -> 'days') = 'array'
                                 then a.frequency_goal -> 'weeks' -> 'days' else '[]'::jsonb end) d),
                        '{}'::int[]) as days
        from action a join patient_plan_summary p on p.id = a.plan_id
        where a.id = p_action
    ), due as (
        select d::date as day
        from bounds b, generate_series(b.first_day::timestamp, b.last_day::timestamp, interval '1 day') d
        where cardinality(b.days) = 0 or extract(dow from d)::int = any (b.days)
    ), done as (
        select (r.occurred_at at time zone b.tz)::date as day, min(r.occurred_at) as first_at
        from result r, bounds b
        where r.action_id = p_action and not r.skipped
        group by 1
    ), marked as (
        select due.day, done.first_at from due left join done on done.day = due.day
    ), miss as (
        select max(m.day) as last_miss from marked m, bounds b where m.first_at is null and m.day <> b.today
    )
    select jsonb_strip_nulls(jsonb_build_object(
        'due', count(m.day),
        'complete', count(m.first_at),
        'streak', jsonb_build_object(
            'count', count(m.first_at) filter (where m.day > coalesce(x.last_miss, '-infinity'::date)),
            'updated_at', to_char((array_agg(m.first_at order by m.day desc)
                    filter (where m.first_at is not null and m.day > coalesce(x.last_miss, '-infinity'::date)))[1]
                at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))))
    from miss x left join marked m on true
$$;

-- A plan's adherence: due and complete summed over its active actions (started, not ended); the streak is the
-- shortest streak among them (the run every active action shares), with the latest of their updated_at.
create function plan_adherence(p_plan char(24)) returns jsonb language sql stable as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'due', coalesce(sum((x ->> 'due')::int), 0),
        'complete', coalesce(sum((x ->> 'complete')::int), 0),
        'streak', jsonb_build_object(
            'count', coalesce(min((x -> 'streak' ->> 'count')::int), 0),
            'updated_at', case when coalesce(min((x -> 'streak' ->> 'count')::int), 0) > 0
                               then max(x -> 'streak' ->> 'updated_at') end)))
    from (select action_adherence(a.id) as x from action a
          where a.plan_id = p_plan and a.effective_from <= now()
            and (a.effective_to is null or a.effective_to > now())) active
$$;
