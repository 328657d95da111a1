-- meta.count of an organization's profile questions without reading every profile × catalogue question.
--
-- The view health_profile_question holds, per profile, the catalogue questions the patient meets today (age
-- band and gender) and the answered ones. Its count for an organization is therefore
--   Σ over profiles of (questions the patient meets today) + Σ over answers of (the patient does not meet it today).
-- Both terms depend on a row only through its patient's (gender, birth date), so the database keeps how many
-- profiles, and how many answers to each question, there are per (organization, gender, birth date): a ledger
-- like kept_count (V10: one delta row per write statement and key, so concurrent writers never wait for each
-- other), in two resolutions per counted row: its birth year (birth_date null) and its birth date. Today's age
-- bounds are dates (today - N years); within a year that holds no bound every birth date meets the same
-- questions, so a count reads the year rows of all other years and the date rows only of the years that hold a
-- bound (a dozen years for the whole catalogue, two per question for answers): a few thousand rows at most,
-- whatever the number of profiles (health_profile_question_count below).
--
-- A profile and an answer carry their patient's gender and birth date (patient_gender, patient_birth_date),
-- copied from the patient when the row is inserted and whenever the patient's change: a row deleted by a
-- cascade from its patient still tells which class it left.

alter table health_profile add column patient_gender text, add column patient_birth_date date;
alter table health_profile_answer add column patient_gender text, add column patient_birth_date date;

create function health_profile_class_copied() returns trigger language plpgsql as $$
begin
    select p.gender, p.birth_date into new.patient_gender, new.patient_birth_date from patient p where p.id = new.patient_id;
    return new;
end $$;
create trigger health_profile_class_copy before insert or update of patient_id on health_profile
    for each row execute function health_profile_class_copied();
create trigger health_profile_answer_class_copy before insert or update of patient_id on health_profile_answer
    for each row execute function health_profile_class_copied();

create function patient_class_changed() returns trigger language plpgsql as $$
begin
    update health_profile set patient_gender = new.gender, patient_birth_date = new.birth_date where patient_id = new.id;
    update health_profile_answer set patient_gender = new.gender, patient_birth_date = new.birth_date
    where patient_id = new.id;
    return null;
end $$;
create trigger patient_class_change after update of gender, birth_date on patient for each row
    when (old.gender is distinct from new.gender or old.birth_date is distinct from new.birth_date)
    execute function patient_class_changed();

-- The ledger. question_id null: profiles; else answers to that question. birth_date null: the row counts a whole
-- birth year (birth_year null: no birth date); else one birth date (and its year).
create table health_profile_class_count (
    organization_id char(24) not null,
    question_id     text collate openplus_numeric,
    gender          text,
    birth_year      integer,
    birth_date      date,
    delta           bigint   not null
);
create index health_profile_class_count_years on health_profile_class_count (organization_id, question_id, birth_year)
    include (gender, delta) where birth_date is null;
create index health_profile_class_count_dates on health_profile_class_count (organization_id, question_id, birth_year, birth_date)
    include (gender, delta) where birth_date is not null;

-- Triggers of one counted table: statement-level AFTER INSERT / DELETE with transition tables (also fired by
-- cascades, and seeing only the rows an ON CONFLICT really inserted), a row-level AFTER UPDATE that fires only
-- when a row's organization, question or class changes, and AFTER TRUNCATE. question is the counted table's
-- question column, or null.
create function health_profile_class_count_install(counted regclass, question text) returns void
        language plpgsql as $install$
declare
    prefix text := 'health_profile_class_count_' || counted::text;
    question_column text := case when question is null then 'null::text' else format('%I', question) end;
    -- Both resolutions of the rows of a transition table, signed.
    deltas text := format($q$
            select organization_id, %1$s, patient_gender, extract(year from patient_birth_date)::integer, null::date, %%2$s count(*)
            from %%1$s group by 1, 2, 3, 4
            union all
            select organization_id, %1$s, patient_gender, extract(year from patient_birth_date)::integer, patient_birth_date, %%2$s count(*)
            from %%1$s where patient_birth_date is not null group by 1, 2, 3, 4, 5$q$, question_column);
    one_row text := format($q$
            select %%1$s.organization_id, %1$s, %%1$s.patient_gender, extract(year from %%1$s.patient_birth_date)::integer, null::date, %%2$s 1
            union all
            select %%1$s.organization_id, %1$s, %%1$s.patient_gender, extract(year from %%1$s.patient_birth_date)::integer, %%1$s.patient_birth_date, %%2$s 1
            where %%1$s.patient_birth_date is not null$q$, case when question is null then 'null::text' else format('%%1$s.%I', question) end);
begin
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                insert into health_profile_class_count (organization_id, question_id, gender, birth_year, birth_date, delta) %s;
                return null;
            end $body$$f$, prefix || '_inserted', format(deltas, 'new_rows', ''));
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                insert into health_profile_class_count (organization_id, question_id, gender, birth_year, birth_date, delta) %s;
                return null;
            end $body$$f$, prefix || '_deleted', format(deltas, 'old_rows', '-'));
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                insert into health_profile_class_count (organization_id, question_id, gender, birth_year, birth_date, delta)
                %s union all %s;
                return null;
            end $body$$f$, prefix || '_moved', format(format(one_row, 'old', '-'), 'old'),
            format(format(one_row, 'new', ''), 'new'));
    execute format($f$create function %I() returns trigger language plpgsql as $body$
            begin
                delete from health_profile_class_count where question_id is %s null;
                return null;
            end $body$$f$, prefix || '_truncated', case when question is null then '' else 'not' end);
    execute format('create trigger %I after insert on %s referencing new table as new_rows'
            ' for each statement execute function %I()', prefix || '_insert', counted, prefix || '_inserted');
    execute format('create trigger %I after delete on %s referencing old table as old_rows'
            ' for each statement execute function %I()', prefix || '_delete', counted, prefix || '_deleted');
    execute format('create trigger %I after update on %s for each row when (old.organization_id is distinct from'
            ' new.organization_id or old.patient_gender is distinct from new.patient_gender'
            ' or old.patient_birth_date is distinct from new.patient_birth_date%s) execute function %I()',
            prefix || '_update', counted,
            case when question is null then '' else format(' or old.%1$I is distinct from new.%1$I', question) end,
            prefix || '_moved');
    execute format('create trigger %I after truncate on %s for each statement execute function %I()',
            prefix || '_truncate', counted, prefix || '_truncated');
    -- The rows there are now (creating the triggers locked the table against writes until the migration commits).
    execute format('insert into health_profile_class_count (organization_id, question_id, gender, birth_year, birth_date, delta) %s',
            format(deltas, counted::text, ''));
end $install$;

update health_profile pr set patient_gender = p.gender, patient_birth_date = p.birth_date
from patient p where p.id = pr.patient_id and (p.gender is not null or p.birth_date is not null);
update health_profile_answer a set patient_gender = p.gender, patient_birth_date = p.birth_date
from patient p where p.id = a.patient_id and (p.gender is not null or p.birth_date is not null);
select health_profile_class_count_install('health_profile', null);
select health_profile_class_count_install('health_profile_answer', 'question_id');

-- The number of rows of health_profile_question of one organization, from the ledger. "Today", the age bounds
-- and the requirement checks are exactly the view's (V8); a test pages through the view and compares. When the
-- rows read hold many deltas of one key, they are folded into one row per key (as KeptCounts folds kept_count),
-- so a count reads a bounded number of rows however many writes came before.
create function health_profile_question_count(organization char(24)) returns bigint language plpgsql as $$
declare
    today date := (now() at time zone 'UTC')::date;
    years integer[];
    total bigint;
    rows_read bigint;
    keys_read bigint;
begin
    -- The years that hold an age bound of some question (today - N years, N an age_from or age_to + 1).
    select coalesce(array_agg(distinct extract(year from today - make_interval(years => b))::integer), '{}') into years
    from health_question_definition d, unnest(array[d.age_from, d.age_to + 1]) as b where b is not null;
    with d as (select q.id, q.age_from, q.age_to, q.gender_required,
                      q.age_from is not null or q.age_to is not null or q.gender_required is not null as restricted,
                      array(select extract(year from today - make_interval(years => b))::integer
                            from unnest(array[q.age_from, q.age_to + 1]) as b where b is not null) as bound_years
               from health_question_definition q),
    sorted_bounds as (
        select coalesce(array_agg(distinct (today - make_interval(years => b))::date order by (today - make_interval(years => b))::date), '{}') as dates
        from health_question_definition q, unnest(array[q.age_from, q.age_to + 1]) as b where b is not null),
    -- Profiles, and answers to questions that have requirements (the others are always met). A year that holds no
    -- bound of the counted question(s) is read as a whole and stands as its 1st of July; in the others each birth
    -- date is read.
    counted as (
        select l.question_id, l.gender, l.birth_year, l.birth_date as key_date, make_date(l.birth_year, 7, 1) as birth_date, l.delta
        from health_profile_class_count l
        where l.organization_id = organization and l.question_id is null and l.birth_date is null
          and (l.birth_year is null or l.birth_year <> all (years))
        union all
        select l.question_id, l.gender, l.birth_year, l.birth_date, l.birth_date, l.delta
        from health_profile_class_count l
        where l.organization_id = organization and l.question_id is null and l.birth_date is not null
          and l.birth_year = any (years)
        union all
        select l.question_id, l.gender, l.birth_year, l.birth_date, make_date(l.birth_year, 7, 1), l.delta
        from d join health_profile_class_count l on l.organization_id = organization and l.question_id = d.id
             and l.birth_date is null
        where d.restricted and (l.birth_year is null or l.birth_year <> all (d.bound_years))
        union all
        select l.question_id, l.gender, l.birth_year, l.birth_date, l.birth_date, l.delta
        from d cross join unnest(d.bound_years) as y (year)
        join health_profile_class_count l on l.organization_id = organization and l.question_id = d.id
             and l.birth_year = y.year and l.birth_date is not null),
    -- Birth dates between the same two bounds meet the same questions: one class, with one representative date.
    classes as (
        select c.question_id, c.gender, min(c.birth_date) as birth_date, sum(c.delta) as n
        from counted c, sorted_bounds s
        group by c.question_id, c.gender, width_bucket(c.birth_date - 1, s.dates))
    select (select coalesce(sum(c.n * case when c.question_id is null then m.met else 1 - m.met end), 0)
            from classes c cross join lateral (
                select count(*) as met from d
                where (c.question_id is null or d.id = c.question_id)
                  and (d.age_from is null or c.birth_date <= (today - make_interval(years => d.age_from))::date)
                  and (d.age_to is null or c.birth_date > (today - make_interval(years => d.age_to + 1))::date)
                  and (d.gender_required is null or c.gender = d.gender_required)) m),
           (select count(*) from counted),
           (select count(*) from (select distinct question_id, gender, birth_year, key_date from counted) k)
    into total, rows_read, keys_read;
    if rows_read > keys_read + 64 then
        with folding as (select pg_try_advisory_xact_lock(hashtext('health_profile_class_count'), hashtext(organization)) as held),
        folded as (
            delete from health_profile_class_count l
            where l.organization_id = organization and (l.birth_date is null or l.birth_year = any (years))
              and (select held from folding)
            returning l.organization_id, l.question_id, l.gender, l.birth_year, l.birth_date, l.delta)
        insert into health_profile_class_count (organization_id, question_id, gender, birth_year, birth_date, delta)
        select organization_id, question_id, gender, birth_year, birth_date, sum(delta) from folded
        group by organization_id, question_id, gender, birth_year, birth_date having sum(delta) <> 0;
    end if;
    return total;
end $$;
