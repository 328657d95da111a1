-- Stored linkage: a patient's group ids and coach ids (with each coach's primary flag) kept on the patient's
-- own row, so that fetching a patient is one index probe instead of one per relationship. At a million
-- patients the fetch statement spent most of its time in the three correlated arrays over the join tables.
--
-- The join tables stay the source of truth: filters, counts, cascades and the coach/group sides read them.
-- The row's columns are kept equal to them by statement-level triggers on the join table (installed by
-- stored_linkage_install), in the writing transaction, whatever wrote the join rows: the API, the admin
-- commands, a cascade from a deleted patient, coach or group, or an operator's SQL. The write path also puts
-- a new row's linkage in its INSERT, so that the trigger finds nothing to change and a bulk create does not
-- write each patient twice; the trigger only updates rows whose stored arrays differ.
--
-- The arrays hold every join row of the owner. Join rows carry the owner's organization (the write path
-- writes the caller's and links only resources in its scope), so for an organization-scoped caller the stored
-- array is exactly the scope-restricted linkage; a group-scoped caller's linkage is still read from the join
-- table with its scope applied.

-- The installed linkages (a test checks them against the described relationships), each with the statement
-- that sets every owner's arrays from its join rows.
create table stored_linkage (
    owner_table  text not null,
    ids_column   text not null,
    link_table   text not null,
    refresh      text not null,
    primary key (owner_table, ids_column)
);

-- Sets every stored linkage afresh from the join rows: for an operator who changed join rows with triggers
-- disabled (select stored_linkage_refresh()). Writers of the join tables wait until it commits.
create function stored_linkage_refresh() returns void language plpgsql as $$
declare
    installed stored_linkage;
begin
    for installed in select * from stored_linkage order by owner_table, ids_column loop
        execute format('lock table %s in share row exclusive mode', installed.link_table);
        execute installed.refresh;
    end loop;
end $$;

-- Keeps owner.ids_column (and owner.flags_column, when given) equal to the owner's join rows from now on:
-- the targets in target order and their flags in the same order, '{}' for an owner without join rows. As with
-- kept_count_install, each linkage gets trigger functions of its own with static SQL (cached plans).
create function stored_linkage_install(link regclass, owner_column text, target_column text, flag_column text,
        owner regclass, owner_id_column text, ids_column text, flags_column text)
        returns void language plpgsql as $install$
declare
    prefix text := 'stored_linkage_' || replace(owner::text || '_' || ids_column, '.', '_');
    computed text := format('array(select m.%1$I from %2$s m where m.%3$I = o.%4$I order by m.%1$I)',
            target_column, link, owner_column, owner_id_column);
    computed_flags text;
    sets text;
    differs text;
    emptied text;
    -- %%1$s: the owners the statement touched, from its transition tables. The owners are locked first: the
    -- UPDATE after the lock then reads the join rows with a snapshot that includes whatever the holder of the
    -- lock committed (an UPDATE that waited on a row lock would recheck the row, but compute the arrays from
    -- its older snapshot and store a stale linkage). Rows whose version this transaction wrote need no lock:
    -- it created them (no other transaction sees them) or updated them (it holds their lock already). That
    -- spares a bulk create a lock, and its WAL record, per new patient.
    refresh text;
begin
    if (flag_column is null) <> (flags_column is null) then
        raise exception 'stored_linkage_install: a flag column and a flags column go together';
    end if;
    sets := format('%I = %s', ids_column, computed);
    differs := format('o.%I is distinct from %s', ids_column, computed);
    emptied := format('%I = ''{}''', ids_column);
    if flags_column is not null then
        computed_flags := format('array(select m.%1$I from %2$s m where m.%3$I = o.%4$I order by m.%5$I)',
                flag_column, link, owner_column, owner_id_column, target_column);
        sets := sets || format(', %I = %s', flags_column, computed_flags);
        differs := differs || format(' or o.%I is distinct from %s', flags_column, computed_flags);
        emptied := emptied || format(', %I = ''{}''', flags_column);
    end if;
    refresh := format('perform 1 from %1$s o where o.%2$I in (%%1$s) and o.xmin <> pg_current_xact_id()::xid'
            ' order by o.%2$I for update;'
            ' update %1$s o set %3$s where o.%2$I in (%%1$s) and (%4$s)', owner, owner_id_column, sets, differs);
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                %s;
                return null;
            end $body$$f$, prefix || '_changed',
            format(refresh, format('select %I from changed_rows', owner_column)));
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                %s;
                return null;
            end $body$$f$, prefix || '_moved',
            format(refresh, format('select %1$I from old_rows union select %1$I from new_rows', owner_column)));
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                update %s set %s where %I <> '{}';
                return null;
            end $body$$f$, prefix || '_emptied', owner, emptied, ids_column);
    execute format('create trigger %I after insert on %s referencing new table as changed_rows'
            ' for each statement execute function %I()', prefix || '_insert', link, prefix || '_changed');
    execute format('create trigger %I after delete on %s referencing old table as changed_rows'
            ' for each statement execute function %I()', prefix || '_delete', link, prefix || '_changed');
    execute format('create trigger %I after update on %s referencing old table as old_rows new table as new_rows'
            ' for each statement execute function %I()', prefix || '_update', link, prefix || '_moved');
    execute format('create trigger %I after truncate on %s for each statement execute function %I()',
            prefix || '_truncate', link, prefix || '_emptied');
    insert into stored_linkage (owner_table, ids_column, link_table, refresh)
    values (owner::text, ids_column, link::text, format('update %1$s o set %2$s where %3$s', owner, sets, differs));
    -- The rows there are now, for every owner (creating the triggers locked the join table against writes
    -- until the migration commits).
    execute format('update %1$s o set %2$s where %3$s', owner, sets, differs);
end $install$;

alter table patient
    add column group_ids           char(24)[] not null default '{}',
    add column coach_ids           char(24)[] not null default '{}',
    add column coach_primary_flags boolean[]  not null default '{}';

select stored_linkage_install('patient_group_member', 'patient_id', 'group_id', null,
        'patient', 'id', 'group_ids', null);
select stored_linkage_install('patient_coach', 'patient_id', 'coach_id', 'is_primary',
        'patient', 'id', 'coach_ids', 'coach_primary_flags');
