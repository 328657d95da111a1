-- Kept counts: meta.count of the common unfiltered lists (the patients of an organization or of a group, the
-- results of a patient, ...) without counting the rows on every page.
--
-- A count is a ledger, not one counter row: every statement that inserts or deletes counted rows appends one
-- delta row per (organization, key) it touched, in its own transaction, and a read sums the deltas of its key.
-- Concurrent writers of one organization therefore never wait for each other (a single counter row would be
-- locked by the first writer until it commits), a rolled-back write takes its delta with it, and a bulk of
-- 1000 rows costs one delta row. Readers fold the deltas of a key into one row once there are many (see
-- dev.openplus.jsonapi.KeptCounts), so a read sums a bounded number of rows.
--
-- Each counted table carries four triggers, installed by kept_count_install: statement-level AFTER INSERT and
-- AFTER DELETE with transition tables (also fired by ON DELETE CASCADE, and seeing only the rows an
-- ON CONFLICT DO NOTHING really inserted), a row-level AFTER UPDATE that fires only when the organization or
-- key of a row changes, and AFTER TRUNCATE.

create table kept_count (
    counter         text     not null,
    organization_id char(24) not null,
    key             char(24) not null,
    delta           bigint   not null
);
create index kept_count_key on kept_count (counter, organization_id, key) include (delta);

-- The installed counters, so that the server can check that every count a resource type describes is kept.
create table kept_count_counter (
    counter             text primary key,
    counted_table       text not null,
    organization_column text not null,
    key_column          text not null
);

create function kept_count_truncated() returns trigger language plpgsql as $$
begin
    delete from kept_count where counter = tg_argv[0];
    return null;
end $$;

-- Counts a counter's rows afresh: its ledger becomes one row per (organization, key). For an operator who
-- changed counted rows with triggers disabled (select kept_count_recount(counter) from kept_count_counter).
-- Writers of the table wait until the recount commits, so none is lost or counted twice.
create function kept_count_recount(recounted text) returns void language plpgsql as $$
declare
    installed kept_count_counter;
begin
    select * into strict installed from kept_count_counter where counter = recounted;
    execute format('lock table %s in share row exclusive mode', installed.counted_table);
    delete from kept_count where counter = recounted;
    execute format('insert into kept_count (counter, organization_id, key, delta)'
            ' select %L, %I, %I, count(*) from %s where %I is not null and %I is not null group by 2, 3',
            recounted, installed.organization_column, installed.key_column, installed.counted_table,
            installed.organization_column, installed.key_column);
end $$;

-- Keeps a count of the rows of a table per (organization column, key column) from now on, starting from the
-- rows it holds; the counter is named table.key_column. Each counter gets trigger functions of its own with
-- static SQL, whose plans PL/pgSQL caches: a generic function building its SQL on every call cost four times
-- as much per insert. Creating the triggers locks the table against writes until the migration commits, so
-- no write falls between the triggers and the initial count.
create function kept_count_install(counted regclass, organization_column text, key_column text)
        returns void language plpgsql as $install$
declare
    counter text := counted::text || '.' || key_column;
    prefix text := 'kept_count_' || replace(counted::text || '_' || key_column, '.', '_');
    columns text := case when organization_column = key_column then format('%I', key_column)
                         else format('%I, %I', organization_column, key_column) end;
    counted_rows text := format('select %L, %I, %I, count(*) from %%s where %I is not null and %I is not null'
            ' group by 2, 3', counter, organization_column, key_column, organization_column, key_column);
begin
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                insert into kept_count (counter, organization_id, key, delta) %s;
                return null;
            end $body$$f$, prefix || '_inserted', format(counted_rows, 'new_rows'));
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                insert into kept_count (counter, organization_id, key, delta)
                select counter, organization_id, key, -delta from (%s) as gone (counter, organization_id, key, delta);
                return null;
            end $body$$f$, prefix || '_deleted', format(counted_rows, 'old_rows'));
    -- A row whose organization or key changed leaves one count and joins another.
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                insert into kept_count (counter, organization_id, key, delta)
                select %L, old.%I, old.%I, -1 where old.%I is not null and old.%I is not null
                union all
                select %L, new.%I, new.%I, 1 where new.%I is not null and new.%I is not null;
                return null;
            end $body$$f$, prefix || '_moved', counter, organization_column, key_column, organization_column,
            key_column, counter, organization_column, key_column, organization_column, key_column);
    execute format('create trigger %I after insert on %s referencing new table as new_rows'
            ' for each statement execute function %I()', prefix || '_insert', counted, prefix || '_inserted');
    execute format('create trigger %I after delete on %s referencing old table as old_rows'
            ' for each statement execute function %I()', prefix || '_delete', counted, prefix || '_deleted');
    execute format('create trigger %I after update of %s on %s for each row'
            ' when (old.%I is distinct from new.%I or old.%I is distinct from new.%I) execute function %I()',
            prefix || '_update', columns, counted, organization_column, organization_column, key_column, key_column,
            prefix || '_moved');
    execute format('create trigger %I after truncate on %s for each statement execute function kept_count_truncated(%L)',
            prefix || '_truncate', counted, counter);
    insert into kept_count_counter (counter, counted_table, organization_column, key_column)
    values (counter, counted::text, organization_column, key_column);
    perform kept_count_recount(counter);
end $install$;

select kept_count_install('patient', 'organization_id', 'organization_id');
select kept_count_install('patient_group_member', 'organization_id', 'group_id');
select kept_count_install('result', 'organization_id', 'patient_id');
select kept_count_install('patient_health_metric', 'organization_id', 'organization_id');
select kept_count_install('patient_health_metric', 'organization_id', 'patient_id');
select kept_count_install('calendar_event', 'organization_id', 'organization_id');
select kept_count_install('calendar_event', 'organization_id', 'owner_id');

-- The patients of several groups (a group-scoped client's whole list, or filter[groups] with several ids) are
-- counted as distinct members of those groups: an index-only scan of this index, proportional to the groups'
-- size rather than to the organization's.
create index patient_group_member_org_group on patient_group_member (organization_id, group_id, patient_id);
