-- Profile questions lose their stored rows (health_profile_item, one per patient and catalogue question, written
-- with every patient only to give each question a stable id). A profile question's id is now derived: its
-- profile's id with the last four hex characters replaced by the question's catalogue number in hex. Profile ids
-- therefore end in 0000, and catalogue numbers fit four hex digits (see docs/decisions.md).

-- The catalogue number as an integer, for the derived ids; numbers beyond four hex digits are refused. (The case
-- keeps a malformed id a violation of the id's own check rather than a failed cast.)
alter table health_question_definition
    add column number integer generated always as (case when id ~ '^[0-9]{1,9}$' then id::integer end) stored,
    add constraint health_question_definition_number_fits check (
        case when id ~ '^[0-9]{1,9}$' then id::integer between 1 and 65535 else false end);
create unique index health_question_definition_number on health_question_definition (number);

drop view health_profile_with_stats;
drop view health_profile_question;
drop table health_profile_item;

-- Re-key the existing profiles. Nothing else stores a profile id (answers name the patient and the question;
-- the dropped items were the only foreign key), so only the rows change. A profile keeps its first 20 hex
-- characters unless another profile shares them; those get new ids.
update health_profile pr
set id = case when k.shared then overlay(openplus_new_id() placing '0000' from 21) else overlay(pr.id placing '0000' from 21) end
from (select id, count(*) over (partition by left(id, 20)) > 1 as shared from health_profile) k
where k.id = pr.id;
alter table health_profile add constraint health_profile_id_ends_in_zeros check (id ~ '^[0-9a-f]{20}0000$');

-- The questions in each profile: every catalogue question whose requirements the patient meets today, and those
-- already answered. (profile_id, question_number) is the question's id (HealthProfileQuestionResource).
create view health_profile_question as
select pr.id as profile_id, d.number as question_number, pr.organization_id, pr.patient_id,
       d.id as question_definition_id, d.category, a.id as answer_id, pr.created_at, pr.created_by,
       greatest(pr.updated_at, a.updated_at) as updated_at, coalesce(a.updated_by, pr.updated_by) as updated_by
from health_profile pr
join patient p on p.id = pr.patient_id
cross join health_question_definition d
cross join (select (now() at time zone 'UTC')::date as today) t
left join health_profile_answer a on a.patient_id = pr.patient_id and a.question_id = d.id
where a.id is not null
   -- Whole years of age as date comparisons: aged at least age_from, and at most age_to.
   or (d.age_from is null or p.birth_date <= (t.today - make_interval(years => d.age_from))::date)
      and (d.age_to is null or p.birth_date > (t.today - make_interval(years => d.age_to + 1))::date)
      and (d.gender_required is null or p.gender = d.gender_required);

-- Profiles with their stats: answered and total questions per category, then overall.
create view health_profile_with_stats as
select pr.id, pr.organization_id, pr.patient_id, pr.created_at, pr.created_by, pr.updated_at, pr.updated_by,
       (select jsonb_agg(jsonb_build_object('category', c.category, 'answered', coalesce(s.answered, 0),
                                            'total', coalesce(s.total, 0)) order by c.position)
        from (values (1, 'lifestyle_behaviors'), (2, 'mental_wellbeing'), (3, 'preventative_care'), (4, 'overall'))
             as c (position, category)
        left join (select coalesce(q.category, 'overall') as category, count(q.answer_id) as answered,
                          count(*) as total
                   from health_profile_question q where q.profile_id = pr.id
                   group by grouping sets ((q.category), ())) s on s.category = c.category) as stats
from health_profile pr;
