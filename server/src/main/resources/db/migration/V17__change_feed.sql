-- The change feed (GET /pub/change, docs/decisions.md "The change feed"): every change of a resource the API
-- exposes is written here by triggers, in the writing transaction, whatever wrote it (the API's generic writes
-- and domain rules, bulk creates, upserts, derived rows, the admin commands, a cascade, a migration, an
-- operator's SQL). A rolled-back transaction leaves no change; a committed one leaves exactly its changes.
--
-- Order and visibility. change_head holds, per resource, its version and the feed position of its latest
-- change. A writer upserts the head (its row lock serializes the writers of one resource until they commit):
--   version  = head.version + 1 (once per transaction: changes of one transaction collapse into one change),
--   position = greatest(the writer's transaction id + base, head.position),
--   id       = nextval, taken after the head's lock is held.
-- A later commit of the same resource therefore always has a later (position, id). A reader returns only
-- changes with position < the oldest transaction id still running when it reads + base: such a change's own
-- transaction id + base is <= its position, so that transaction has ended, and no change at or below that
-- position can be written any more. Read in (position, id) order, the feed never skips a change and holds back
-- (never drops) the changes behind a transaction that stays open.
--
-- Positions across clusters. Transaction ids belong to one PostgreSQL cluster: a backup restored into another
-- (admin restore, pg_restore) brings positions far above that cluster's transaction ids. The base (one row,
-- change_position_base, restored with the data) is added to every transaction id the feed uses, and
-- change_position_heal raises it when the stored positions are ahead of the cluster, before anything writes
-- (docs/decisions.md "Positions across a restore").
--
-- Scope. Every change carries its organization, and for a group-scoped reader the groups through which it sees
-- the resource at the change (groups_before / groups_after): a patient's groups for the patient and its data,
-- the group of a group or reward program, a coach's groups and its patients' groups for a coach; null for the
-- organization (every client of the organization sees it). A patient moving between groups is one change of
-- the patient with the groups before and after, plus a "scope-only" change of each of its resources (same
-- version, not shown to organization-wide readers): a group-scoped reader sees the patient and its data leave
-- (removed) or enter (created) its scope.

create sequence change_id_seq;

create table change (
    id              bigint      primary key,
    organization_id char(24)    not null,
    resource_type   text        not null,
    resource_id     text        not null,
    patient_id      char(24),
    action          text        not null check (action in ('created', 'updated', 'deleted')),
    version         bigint      not null,
    groups_before   char(24)[],
    groups_after    char(24)[],
    scope_only      boolean     not null default false,
    changed_at      timestamptz not null default now(),
    -- The writer's transaction id + change_position_base.base, or more (see above).
    position        bigint      not null
);
-- Feed order within each resource type: a reader of some types walks only theirs, and a reader of all merges one
-- walk per type (ChangeFeed; a page reads at most its size + one row per type). One index for both, so a change
-- costs its writer two index entries (this and the primary key), as a feed without the type filter would.
create index change_feed on change (organization_id, resource_type, position, id);

-- The resource types the feed carries, one row each (change_install adds them): what a merge of the per-type
-- walks walks, in SQL (pruning, the newest position); ChangeFeed takes the same list from the resource
-- descriptions, and a test compares the two.
create table change_type (resource_type text primary key);
insert into change_type values ('patient');

create table change_head (
    resource_type text        not null,
    resource_id   text        not null,
    version       bigint      not null,
    -- The transaction that last moved the version (scope-only changes do not).
    version_xid   xid8,
    position      bigint      not null,
    -- The transaction of the latest change (change_id), and of the one before it.
    change_xid    xid8        not null,
    prior_xid     xid8,
    change_id     bigint      not null,
    -- A patient's groups at its latest change: the scope of its data once the patient row is gone.
    groups        char(24)[],
    primary key (resource_type, resource_id)
);

-- What was pruned (retention): a cursor before it has missed changes (410 ChangeCursorExpired).
create table change_horizon (
    organization_id char(24) primary key,
    position        bigint   not null,
    id              bigint   not null
);

-- What the feed adds to a transaction id to make a position: 0 until the data is restored into a cluster whose
-- transaction ids are lower than those the positions were made of (change_position_heal). One row. Writers read
-- it in the statement that upserts their heads and readers in change_visible_below, so each holds an access
-- share lock on this table until it ends: the heal's access exclusive lock waits for every transaction that
-- used the old base to end before it raises it.
create table change_position_base (
    singleton boolean primary key default true check (singleton),
    base      bigint  not null
);
insert into change_position_base (base) values (0);

-- The positions below which the feed is final (the oldest transaction still running + base): readers return only
-- changes below it. Stable: evaluated on the caller's snapshot.
create function change_visible_below() returns bigint language sql stable as $$
    select pg_snapshot_xmin(pg_current_snapshot())::text::bigint + b.base from change_position_base b
$$;

create type change_row as (
    organization_id char(24),
    resource_id     text,
    patient_id      char(24),
    groups_before   char(24)[],
    groups_after    char(24)[],
    scope_only      boolean
);

-- Records changes of one type and action: one set-based upsert of the heads (in id order, so that two writers
-- lock them in the same order), one update of changes this transaction already recorded, one insert. p_unique:
-- the rows name distinct resources (a table's own rows; derived rows may name a parent several times).
create function change_record(p_type text, p_action text, p_rows change_row[], p_unique boolean default false)
        returns void language plpgsql as $$
declare
    current_xid xid8 := pg_current_xact_id();
begin
    if p_rows is null or cardinality(p_rows) = 0 then
        return;
    end if;
    -- A patient's data is in scope through its patient's groups. Read when the triggers fired, they could be
    -- those before a move another transaction is committing, whose scope-only changes (change_patient_moved)
    -- cannot see this uncommitted row either: the row would stay in a group reader's scope after its patient
    -- left. So the triggers pass a patient's groups only when this transaction wrote the patient's row version
    -- (inserted or updated it: it holds the row's lock, no one else can move it; a bulk create is all such
    -- rows), and null otherwise. Those patients are share-locked here (a move updates the patient row, so the
    -- two wait for each other, the patient before its data as everywhere) and their groups read in this later
    -- statement's snapshot, which sees a move that committed meanwhile.
    if p_type <> 'patient' and exists (select 1 from unnest(p_rows) r where r.patient_id is not null
                                           and not r.scope_only and r.groups_after is null) then
        perform 1 from patient p
        where p.id in (select r.patient_id from unnest(p_rows) r where not r.scope_only and r.groups_after is null)
        order by p.id for share of p;
        p_rows := array(select case when r.patient_id is null or r.scope_only or r.groups_after is not null then r
                                    else row(r.organization_id, r.resource_id, r.patient_id,
                                             coalesce(p.group_ids, change_patient_groups(r.patient_id)),
                                             coalesce(p.group_ids, change_patient_groups(r.patient_id)),
                                             false)::change_row end
                        from unnest(p_rows) r
                        left join patient p on p.id = r.patient_id and not r.scope_only and r.groups_after is null);
    end if;
    if not p_unique then
        p_rows := array(select distinct on (r.resource_id) r from unnest(p_rows) r
                        order by r.resource_id, r.scope_only);
    end if;
    with input as (
        select r.* from unnest(p_rows) r where r.resource_id is not null and r.organization_id is not null
    ), heads as (
        insert into change_head as h (resource_type, resource_id, version, version_xid, position, change_xid,
                                      change_id, groups)
        select p_type, i.resource_id, case when i.scope_only then 0 else 1 end,
               case when i.scope_only then null else current_xid end,
               -- The position now: read in this statement (once, an init plan), so that its plan locks the base's
               -- table before the statement's snapshot is taken (see change_position_base). No row: null, and
               -- the write fails rather than record a position without its base.
               current_xid::text::bigint + (select b.base from change_position_base b), current_xid,
               -- A patient's groups, for its data once it is gone (change_patient_groups); no other head needs them.
               nextval('change_id_seq'), case when p_type = 'patient' then i.groups_after end
        from input i order by i.resource_id
        on conflict (resource_type, resource_id) do update set
            version = h.version + case when excluded.version_xid is not null
                                            and h.version_xid is distinct from excluded.version_xid then 1 else 0 end,
            version_xid = coalesce(excluded.version_xid, h.version_xid),
            position = greatest(h.position, excluded.position),
            prior_xid = h.change_xid,
            change_xid = excluded.change_xid,
            -- Taken here, after the head's lock: later than the id of the change it follows.
            change_id = case when h.change_xid = excluded.change_xid then h.change_id else nextval('change_id_seq') end,
            groups = excluded.groups
        returning h.resource_id, h.version, h.position, h.change_id,
                  h.prior_xid is not distinct from h.change_xid as collapsed
    ), merged as (
        update change c set
            action = case when p_action = 'deleted' then 'deleted'
                          when c.action = 'created' or p_action = 'created' then 'created'
                          else 'updated' end,
            version = hd.version,
            groups_before = case when c.action = 'created' or p_action = 'created' then i.groups_after
                                 else c.groups_before end,
            groups_after = i.groups_after,
            scope_only = c.scope_only and i.scope_only
        from heads hd join input i on i.resource_id = hd.resource_id
        where hd.collapsed and c.id = hd.change_id
    )
    insert into change (id, organization_id, resource_type, resource_id, patient_id, action, version,
                        groups_before, groups_after, scope_only, position)
    select hd.change_id, i.organization_id, p_type, i.resource_id, i.patient_id, p_action, hd.version,
           case when p_action = 'created' then i.groups_after else i.groups_before end, i.groups_after,
           i.scope_only, hd.position
    from heads hd join input i on i.resource_id = hd.resource_id
    where not hd.collapsed;
end $$;

-- A patient's groups now; once the patient row is gone (a cascade), those of its last change.
create function change_patient_groups(p_patient char(24)) returns char(24)[] language sql stable as $$
    select coalesce((select p.group_ids from patient p where p.id = p_patient),
                    (select h.groups from change_head h where h.resource_type = 'patient' and h.resource_id = p_patient),
                    '{}')
$$;

-- The groups through which a group-scoped client sees a coach: its own, and those of the patients it coaches.
create function change_coach_groups(p_coach char(24)) returns char(24)[] language sql stable as $$
    select array(select g.group_id from coach_group g where g.coach_id = p_coach
                 union
                 select m.group_id from patient_coach pc join patient_group_member m on m.patient_id = pc.patient_id
                 where pc.coach_id = p_coach
                 order by 1)
$$;

-- The resources that belong to a patient (their scope is the patient's groups), in the order a patient's move
-- records them. Parents before children (plan summary, bundle, action, result): the lock order of every path. Readers: change_patient_moved; a test checks it against the described types.
create table change_dependent (
    resource_type  text    primary key,
    table_name     text    not null,
    id_expression  text    not null,
    patient_column text    not null,
    position       integer not null unique
);
insert into change_dependent values
    ('patient_plan_summary', 'patient_plan_summary', 'd.id', 'patient_id', 1),
    ('bundle', 'bundle', 'd.id', 'patient_id', 2),
    ('action', 'action', 'd.id', 'patient_id', 3),
    ('patient_health_metric', 'patient_health_metric', 'd.id', 'patient_id', 4),
    ('result', 'result', 'd.id', 'patient_id', 5),
    ('calendar_event', 'calendar_event', 'd.id', 'owner_id', 6),
    ('reward_program_activation', 'reward_program_activation', 'd.id', 'patient_id', 7),
    ('reward', 'reward', 'd.id', 'patient_id', 8),
    ('reward_earning', 'reward_earning', 'd.id', 'patient_id', 9),
    ('reward_earning_fulfillment', 'reward_earning_fulfillment', 'd.id', 'patient_id', 10),
    ('health_profile', 'health_profile', 'd.id', 'patient_id', 11),
    ('health_profile_question', 'health_profile_question',
     'overlay(d.profile_id placing lpad(to_hex(d.question_number), 4, ''0'') from 21)', 'patient_id', 12),
    ('health_profile_answer', 'health_profile_answer', 'd.id', 'patient_id', 13),
    ('email_history', 'email_history', 'd.id', 'receiver_patient_id', 14);

-- Patients whose groups changed (p_moved: the patients' change rows, groups before and after): a scope-only
-- change of each of their resources, with the same groups.
create function change_patient_moved(p_moved change_row[]) returns void language plpgsql as $$
declare
    dependent change_dependent;
    moved change_row[];
begin
    if p_moved is null or cardinality(p_moved) = 0 then
        return;
    end if;
    for dependent in select * from change_dependent order by position loop
        execute format('select array(select row(d.organization_id, %s, d.%I, m.groups_before, m.groups_after, true)'
                       '::change_row from %I d join unnest($1) m on m.resource_id = d.%I)',
                       dependent.id_expression, dependent.patient_column, dependent.table_name,
                       dependent.patient_column)
            into moved using p_moved;
        perform change_record(dependent.resource_type, 'updated', moved, true);
    end loop;
end $$;

-- Installs statement-level triggers on a table that record a change of resource_type for each row inserted,
-- updated or deleted (action null: created / updated / deleted; else always that action, for a resource that
-- a row of this table derives from or links). The expressions read the row as r. Each install gets trigger
-- functions of its own with static SQL (cached plans), as kept_count_install does.
--
-- A patient's data (p_patient given) takes its patient's groups from the patient row, joined once for the
-- statement's rows, when this transaction wrote that row version, and null otherwise: change_record then locks
-- the patient and reads them (see there). Without a patient (a derived row whose parent a cascade removed, an
-- email to a coach), the groups are p_groups, or none ('{}': null would mean the whole organization).
create function change_install(p_table regclass, p_name text, p_type text, p_action text, p_id text,
        p_organization text, p_patient text, p_groups text, p_events text[] default '{insert,update,delete}')
        returns void language plpgsql as $install$
declare
    prefix text := 'change_' || p_name;
    event text;
    rows_of text;
    action text;
    groups text := coalesce(p_groups, 'null');
    source text;
begin
    insert into change_type values (p_type) on conflict do nothing;
    if p_patient is not null then
        groups := format('case when %s is null then %s when p.xmin = pg_current_xact_id()::xid then p.group_ids end',
                         p_patient, coalesce(p_groups, '''{}''::char(24)[]'));
    end if;
    foreach event in array p_events loop
        action := coalesce(p_action, case event when 'insert' then 'created' when 'update' then 'updated'
                                                else 'deleted' end);
        rows_of := case event when 'delete' then 'old_rows' else 'new_rows' end;
        source := rows_of || ' r' || case when p_patient is not null
                                          then format(' left join patient p on p.id = %s', p_patient) else '' end;
        execute format($f$create function %I() returns trigger language plpgsql as $body$
                begin
                    perform change_record(%L, %L, array(select row(%s, %s, %s, %s, %s, false)::change_row
                                                        from %s), %L);
                    return null;
                end $body$$f$, prefix || '_' || event, p_type, action, p_organization, p_id,
                coalesce(p_patient, 'null'), groups, groups, source, p_id = 'r.id');
        execute format('create trigger %I after %s on %s referencing %s table as %s for each statement'
                       ' execute function %I()', prefix || '_' || event, event, p_table,
                       case event when 'delete' then 'old' else 'new' end, rows_of, prefix || '_' || event);
    end loop;
end $install$;

-- A patient's resources: their scope is the patient's groups.
create function change_install_patient_data(p_table regclass, p_type text, p_patient_column text)
        returns void language sql as $$
    select change_install(p_table, p_table::text, p_type, null, 'r.id', 'r.organization_id', 'r.' || p_patient_column,
                          null);
$$;

select change_install('organization', 'organization', 'organization', null, 'r.id', 'r.id', null, null);
select change_install('patient_group', 'patient_group', 'group', null, 'r.id', 'r.organization_id', null,
                      'array[r.id]::char(24)[]');
select change_install('coach', 'coach', 'coach', null, 'r.id', 'r.organization_id', null, 'change_coach_groups(r.id)');
select change_install('reward_program', 'reward_program', 'reward_program', null, 'r.id', 'r.organization_id', null,
                      'array[r.group_id]::char(24)[]');
select change_install_patient_data('calendar_event', 'calendar_event', 'owner_id');
select change_install_patient_data('reward_program_activation', 'reward_program_activation', 'patient_id');
select change_install_patient_data('reward', 'reward', 'patient_id');
select change_install_patient_data('reward_earning', 'reward_earning', 'patient_id');
select change_install_patient_data('reward_earning_fulfillment', 'reward_earning_fulfillment', 'patient_id');
select change_install_patient_data('patient_plan_summary', 'patient_plan_summary', 'patient_id');
select change_install_patient_data('action', 'action', 'patient_id');
select change_install_patient_data('bundle', 'bundle', 'patient_id');
select change_install_patient_data('patient_health_metric', 'patient_health_metric', 'patient_id');
select change_install_patient_data('result', 'result', 'patient_id');
select change_install_patient_data('health_profile', 'health_profile', 'patient_id');
select change_install_patient_data('health_profile_answer', 'health_profile_answer', 'patient_id');
select change_install('email_history', 'email_history', 'email_history', null, 'r.id', 'r.organization_id',
                      'r.receiver_patient_id',
                      'change_coach_groups(r.receiver_coach_id)');

-- Changes derived from a row of another table: the plan summary lists its actions and bundles and its current
-- results, and shows adherence computed from results; an action shows its bundles and its adherence; a bundle
-- its actions; a health profile its answered counts; a profile question its answer; a coach its groups.
--
-- Lock order. A statement's triggers fire in the order of their names, and a trigger that records a derived
-- change of a parent (named with a leading digit: before the table's own trigger, named after the table) upserts
-- that parent's head before the row's own. Every path thus takes the heads of one patient's care plan parents
-- first (plan summary, bundle, action, result; health profile, question, answer), as a patient's move does
-- (change_dependent's order): a result (plan, action, result) and a bundle listing actions (plan, bundle, then
-- its actions) both start at the plan and cannot deadlock each other (ChangeHeadOrderTest; docs/decisions.md).
select change_install('action', '1_action_plan', 'patient_plan_summary', 'updated', 'r.plan_id', 'r.organization_id',
                      'r.patient_id', null);
select change_install('bundle', '1_bundle_plan', 'patient_plan_summary', 'updated', 'r.plan_id', 'r.organization_id',
                      'r.patient_id', null);
select change_install('result', '1_result_plan', 'patient_plan_summary', 'updated',
                      '(select a.plan_id from action a where a.id = r.action_id)', 'r.organization_id',
                      'r.patient_id', null);
select change_install('result', '2_result_action', 'action', 'updated', 'r.action_id', 'r.organization_id',
                      'r.patient_id', null);
select change_install('bundle_action', '2_bundle_action_action', 'action', 'updated', 'r.action_id',
                      'r.organization_id', '(select a.patient_id from action a where a.id = r.action_id)',
                      null);
select change_install('bundle_action', '1_bundle_action_bundle', 'bundle', 'updated', 'r.bundle_id',
                      'r.organization_id', '(select b.patient_id from bundle b where b.id = r.bundle_id)',
                      null);
select change_install('health_profile_answer', '1_answer_profile', 'health_profile', 'updated',
                      '(select pr.id from health_profile pr where pr.patient_id = r.patient_id)', 'r.organization_id',
                      'r.patient_id', null);
select change_install('health_profile_answer', '2_answer_question', 'health_profile_question', 'updated',
                      '(select overlay(pr.id placing lpad(to_hex(d.number), 4, ''0'') from 21) from health_profile pr'
                      ' join health_question_definition d on d.id = r.question_id where pr.patient_id = r.patient_id)',
                      'r.organization_id', 'r.patient_id', null);
select change_install('coach_group', 'coach_group', 'coach', 'updated', 'r.coach_id', 'r.organization_id', null,
                      'change_coach_groups(r.coach_id)');

-- The patient: its groups before and after each change (patient.group_ids is kept equal to its memberships by
-- V12's triggers, so a membership change is an update of this row), and the scope-only changes of a move.
create function change_patient_inserted() returns trigger language plpgsql as $$
begin
    perform change_record('patient', 'created', array(
            select row(r.organization_id, r.id, r.id, r.group_ids, r.group_ids, false)::change_row from new_rows r),
            true);
    return null;
end $$;
create function change_patient_updated() returns trigger language plpgsql as $$
declare
    changed change_row[] := array(
            select row(n.organization_id, n.id, n.id, o.group_ids, n.group_ids, false)::change_row
            from new_rows n join old_rows o on o.id = n.id);
begin
    perform change_record('patient', 'updated', changed, true);
    perform change_patient_moved(array(select c from unnest(changed) c
                                       where c.groups_before is distinct from c.groups_after));
    return null;
end $$;
create function change_patient_deleted() returns trigger language plpgsql as $$
begin
    perform change_record('patient', 'deleted', array(
            select row(r.organization_id, r.id, r.id, r.group_ids, r.group_ids, false)::change_row from old_rows r),
            true);
    return null;
end $$;
create trigger change_patient_insert after insert on patient referencing new table as new_rows
    for each statement execute function change_patient_inserted();
create trigger change_patient_update after update on patient referencing old table as old_rows new table as new_rows
    for each statement execute function change_patient_updated();
create trigger change_patient_delete after delete on patient referencing old table as old_rows
    for each statement execute function change_patient_deleted();

-- Retention: deletes the organization's oldest changes (a prefix in feed order, at most p_batch of them) older
-- than p_before and already visible to every reader, and moves the organization's horizon past them. Small
-- batches, each its own transaction: no long lock, writers never wait for it.
create function change_prune(p_organization char(24), p_before timestamptz, p_batch integer)
        returns integer language plpgsql as $$
declare
    visible_below bigint := change_visible_below();
    last_position bigint;
    last_id bigint;
    pruned integer;
begin
    with oldest as (
        select c.id, c.position, bool_and(c.changed_at < p_before and c.position < visible_below)
                   over (order by c.position, c.id) as prunable
        -- The organization's first p_batch changes in feed order: among the first p_batch of each type.
        from (select c.* from change_type t
              cross join lateral (select c.id, c.position, c.changed_at from change c
                                  where c.organization_id = p_organization and c.resource_type = t.resource_type
                                  order by c.position, c.id limit p_batch) c
              order by c.position, c.id limit p_batch) c
    ), gone as (
        delete from change c using oldest o where o.prunable and c.id = o.id returning c.id, c.position
    )
    select count(*), max(g.position), max(g.id) filter (where g.position = (select max(position) from gone))
    into pruned, last_position, last_id from gone g;
    if pruned > 0 then
        insert into change_horizon as h (organization_id, position, id)
        values (p_organization, last_position, last_id)
        on conflict (organization_id) do update set position = excluded.position, id = excluded.id
        where (h.position, h.id) < (excluded.position, excluded.id);
    end if;
    return pruned;
end $$;

-- The organizations whose changes may be pruned.
create view change_horizon_candidates as select o.id from organization o;

-- The highest position stored: of a change, or of the last pruned one. No cursor the feed hands out lies beyond
-- it (a page's cursor is its last change's, or the organization's newest change below the visible bound). One
-- index probe per organization that has changes and type (a skip scan of change_feed), not a scan of the table.
create function change_position_newest() returns bigint language sql stable as $$
    with recursive organizations(id) as (
        (select c.organization_id from change c order by c.organization_id limit 1)
        union all
        select (select c.organization_id from change c where c.organization_id > o.id
                order by c.organization_id limit 1)
        from organizations o where o.id is not null
    )
    select max(p.position) from (
        select (select c.position from change c where c.organization_id = o.id and c.resource_type = t.resource_type
                order by c.position desc limit 1)
        from organizations o cross join change_type t where o.id is not null
        union all
        select h.position from change_horizon h
    ) p(position)
$$;

-- Whether stored positions are ahead of this cluster: at or above the first transaction id not yet completed +
-- base. Never true on the cluster that wrote them (every committed position is at most its writer's transaction
-- id + a base no higher than today's, or a position so made before); true after a restore into a cluster whose
-- transaction ids are lower. Takes no lock beyond reading.
create function change_positions_ahead() returns boolean language sql stable as $$
    select coalesce(change_position_newest() >= pg_snapshot_xmax(pg_current_snapshot())::text::bigint + b.base, false)
    from change_position_base b
$$;

-- Raises the base so that every position written from now on lies above every stored one (and so above every
-- cursor a reader or a webhook holds), when the stored positions are ahead of the cluster; returns the new base,
-- or null when nothing had to change. Run on its own (its first statement must be the lock: a transaction that
-- already read the base and then waits for this lock would deadlock with another doing the same).
--
-- The lock waits for every transaction that read the base (writers in their heads' upsert, readers in
-- change_visible_below) to end, and holds back every one that would read it until this commits: no writer
-- writes with the old base once a reader can see the new one. The new base is measured from the oldest
-- transaction still running (not from the newest), so that a transaction that already has its id but has not
-- written yet writes above the stored positions too. docs/decisions.md "Positions across a restore".
create function change_position_heal() returns bigint language plpgsql as $$
declare
    raised bigint;
begin
    lock table change_position_base in access exclusive mode;
    -- One statement, one snapshot (taken after the lock): ahead means newest >= xmax + base, so the new base
    -- (newest + 1 - xmin, xmin <= xmax) is above the old one.
    update change_position_base b set base = n.newest + 1 - pg_snapshot_xmin(pg_current_snapshot())::text::bigint
    from (select change_position_newest() as newest) n
    where n.newest >= pg_snapshot_xmax(pg_current_snapshot())::text::bigint + b.base
    returning b.base into raised;
    return raised;
end $$;
