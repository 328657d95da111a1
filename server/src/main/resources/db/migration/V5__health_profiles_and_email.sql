-- Health profiles (a question catalogue shipped with OpenPlus, per-patient profiles and answers) and email history.

-- Ids in SQL, of the shape the server writes (a 4-byte seconds timestamp, then 8 random bytes, as 24 hex).
create function openplus_new_id() returns char(24) language sql volatile as $$
    select lpad(to_hex(floor(extract(epoch from clock_timestamp()))::bigint), 8, '0')
        || substr(md5(gen_random_uuid()::text), 1, 16)
$$;

-- Catalogue ids are small numbers kept as text ("21"); this collation orders them as numbers (2 before 10).
create collation openplus_numeric (provider = icu, locale = 'und-u-kn-true');

-- The requirements a question may have: age bounds ("shouldBeGreaterThan" / "shouldBeLessThan", strict) and at most one
-- gender ("shouldBeEqual": true). The read path checks them as plain comparisons; a question that needs another kind
-- must extend health_profile_question first (the check on the catalogue refuses it until then).
create function health_requirements_supported(requirements jsonb) returns boolean language sql immutable as $$
    select coalesce(bool_and((r ->> 'property' = 'age' and r - 'property' - 'shouldBeGreaterThan' - 'shouldBeLessThan' = '{}'
                                 and jsonb_typeof(coalesce(r -> 'shouldBeGreaterThan', '0')) = 'number'
                                 and jsonb_typeof(coalesce(r -> 'shouldBeLessThan', '0')) = 'number')
                              or (r ->> 'property' = 'gender' and r -> 'shouldBeEqual' = 'true'
                                 and jsonb_typeof(r -> 'value') = 'string' and r - 'property' - 'shouldBeEqual' - 'value' = '{}')), true)
       and count(*) filter (where r ->> 'property' = 'gender') <= 1
    from jsonb_array_elements(requirements) r
$$;

-- The youngest whole age that is "greater than" every age bound, and the oldest that is "less than" every one.
create function health_requirement_age_from(requirements jsonb) returns integer language sql immutable as $$
    select floor(max((r ->> 'shouldBeGreaterThan')::numeric))::integer + 1
    from jsonb_array_elements(requirements) r where r ->> 'property' = 'age' and r ? 'shouldBeGreaterThan'
$$;
create function health_requirement_age_to(requirements jsonb) returns integer language sql immutable as $$
    select ceil(min((r ->> 'shouldBeLessThan')::numeric))::integer - 1
    from jsonb_array_elements(requirements) r where r ->> 'property' = 'age' and r ? 'shouldBeLessThan'
$$;
create function health_requirement_gender(requirements jsonb) returns text language sql immutable as $$
    select min(r ->> 'value') from jsonb_array_elements(requirements) r where r ->> 'property' = 'gender'
$$;

-- The question catalogue: the same for every organization, read-only through the API. The generated columns are
-- the requirements in the form the read path compares with. Age is in whole years on the current UTC date; a
-- requirement on a property the patient lacks (no birth date, no gender) is not met.
create table health_question_definition (
    id                   text collate openplus_numeric primary key check (id ~ '^[1-9][0-9]{0,8}$'),
    category             text        not null check (category in ('lifestyle_behaviors', 'mental_wellbeing', 'preventative_care')),
    text                 text        not null,
    format               jsonb       not null,
    requirements         jsonb       not null default '[]' check (health_requirements_supported(requirements)),
    age_from             integer     generated always as (health_requirement_age_from(requirements)) stored,
    age_to               integer     generated always as (health_requirement_age_to(requirements)) stored,
    gender_required      text        generated always as (health_requirement_gender(requirements)) stored,
    created_at           timestamptz not null default now(),
    created_by           text,
    updated_at           timestamptz not null default now(),
    updated_by           text
);

-- One profile per patient.
create table health_profile (
    id               char(24)    primary key,
    organization_id  char(24)    not null references organization (id),
    patient_id       char(24)    not null unique references patient (id) on delete cascade,
    created_at       timestamptz not null default now(),
    created_by       text,
    updated_at       timestamptz not null default now(),
    updated_by       text
);
create index health_profile_org_id on health_profile (organization_id, id);
create index health_profile_org_created on health_profile (organization_id, created_at, id);
create index health_profile_org_updated on health_profile (organization_id, updated_at, id);

-- One row per patient and catalogue question, so that each profile question has a stable id. Whether the question
-- is in the profile is decided when it is read (health_profile_question below), so ages are exact on every day.
create table health_profile_item (
    id                      char(24)    primary key,
    organization_id         char(24)    not null references organization (id),
    patient_id              char(24)    not null references patient (id) on delete cascade,
    profile_id              char(24)    not null references health_profile (id) on delete cascade,
    question_definition_id  text        collate openplus_numeric not null references health_question_definition (id),
    created_at              timestamptz not null default now(),
    created_by              text,
    updated_at              timestamptz not null default now(),
    updated_by              text,
    unique (patient_id, question_definition_id)
);
create index health_profile_item_org_id on health_profile_item (organization_id, id);
create index health_profile_item_profile on health_profile_item (profile_id, id);

-- A patient's answers to one question: every answer given (history) and the one with the latest answered_at.
create table health_profile_answer (
    id                  char(24)    primary key,
    organization_id     char(24)    not null references organization (id),
    patient_id          char(24)    not null references patient (id) on delete cascade,
    question_id         text        collate openplus_numeric not null references health_question_definition (id),
    history             jsonb       not null,
    latest              jsonb       not null,
    latest_value        text        not null,
    latest_answered_at  timestamptz not null,
    created_at          timestamptz not null default now(),
    created_by          text,
    updated_at          timestamptz not null default now(),
    updated_by          text,
    unique (patient_id, question_id)
);
create index health_profile_answer_org_id on health_profile_answer (organization_id, id);
create index health_profile_answer_org_created on health_profile_answer (organization_id, created_at, id);
create index health_profile_answer_org_updated on health_profile_answer (organization_id, updated_at, id);
create index health_profile_answer_patient on health_profile_answer (patient_id, id);

-- The questions in each profile: those whose requirements the patient meets today, and those already answered.
create view health_profile_question as
select i.id, i.organization_id, i.patient_id, i.profile_id, i.question_definition_id, d.category,
       a.id as answer_id, i.created_at, i.created_by, greatest(i.updated_at, a.updated_at) as updated_at,
       coalesce(a.updated_by, i.updated_by) as updated_by
from health_profile_item i
join patient p on p.id = i.patient_id
join health_question_definition d on d.id = i.question_definition_id
cross join (select (now() at time zone 'UTC')::date as today) t
left join health_profile_answer a on a.patient_id = i.patient_id and a.question_id = i.question_definition_id
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

insert into health_question_definition (id, category, text, format, requirements) values
    ('1', 'lifestyle_behaviors', 'In a usual week, on how many days are you active for 30 minutes or more at a level that makes you breathe harder, such as a brisk walk?',
     '{"type": "choice", "data": [{"label": "None", "value": "0"}, {"label": "One or two days", "value": "1"}, {"label": "Three or four days", "value": "2"}, {"label": "Five days or more", "value": "3"}]}',
     '[]'),
    ('2', 'lifestyle_behaviors', 'On how many days a week do you do exercises that strengthen your muscles, such as lifting weights or push-ups?',
     '{"type": "choice", "data": [{"label": "None", "value": "0"}, {"label": "One day", "value": "1"}, {"label": "Two days or more", "value": "2"}]}',
     '[]'),
    ('3', 'lifestyle_behaviors', 'On a typical work day, how many hours do you spend sitting down?',
     '{"type": "choice", "data": [{"label": "Less than four hours", "value": "0"}, {"label": "Four to eight hours", "value": "1"}, {"label": "More than eight hours", "value": "2"}]}',
     '[]'),
    ('4', 'lifestyle_behaviors', 'How many hours of sleep do you usually get in one night?',
     '{"type": "choice", "data": [{"label": "Less than six hours", "value": "0"}, {"label": "Six hours", "value": "1"}, {"label": "Seven to nine hours", "value": "2"}, {"label": "More than nine hours", "value": "3"}]}',
     '[]'),
    ('5', 'lifestyle_behaviors', 'Do you smoke cigarettes, cigars or a pipe, or use chewing tobacco?',
     '{"type": "choice", "data": [{"label": "Never have", "value": "0"}, {"label": "Used to, but quit", "value": "1"}, {"label": "Yes, on some days", "value": "2"}, {"label": "Yes, every day", "value": "3"}]}',
     '[]'),
    ('6', 'lifestyle_behaviors', 'Do you use e-cigarettes or other vaping products?',
     '{"type": "choice", "data": [{"label": "Never have", "value": "0"}, {"label": "Used to, but quit", "value": "1"}, {"label": "Yes, on some days", "value": "2"}, {"label": "Yes, every day", "value": "3"}]}',
     '[]'),
    ('7', 'lifestyle_behaviors', 'How often do you have a drink that contains alcohol?',
     '{"type": "frequency", "data": [{"label": "Never", "value": "0"}, {"label": "Once a month or less", "value": "1"}, {"label": "Two to four times a month", "value": "2"}, {"label": "Two or three times a week", "value": "3"}, {"label": "Four times a week or more", "value": "4"}]}',
     '[{"property": "age", "shouldBeGreaterThan": 17}]'),
    ('8', 'lifestyle_behaviors', 'On a day when you drink alcohol, how many drinks do you usually have?',
     '{"type": "choice", "data": [{"label": "I don''t drink", "value": "0"}, {"label": "One or two", "value": "1"}, {"label": "Three or four", "value": "2"}, {"label": "Five or six", "value": "3"}, {"label": "Seven or more", "value": "4"}]}',
     '[{"property": "age", "shouldBeGreaterThan": 17}]'),
    ('9', 'lifestyle_behaviors', 'How often do you have four (women) or five (men) or more drinks on the same occasion?',
     '{"type": "frequency", "data": [{"label": "Never", "value": "0"}, {"label": "Less than once a month", "value": "1"}, {"label": "Every month", "value": "2"}, {"label": "Every week", "value": "3"}, {"label": "Every day or almost", "value": "4"}]}',
     '[{"property": "age", "shouldBeGreaterThan": 17}]'),
    ('10', 'lifestyle_behaviors', 'On a usual day, how many portions of fruit and vegetables do you eat?',
     '{"type": "choice", "data": [{"label": "None", "value": "0"}, {"label": "One or two", "value": "1"}, {"label": "Three or four", "value": "2"}, {"label": "Five or more", "value": "3"}]}',
     '[]'),
    ('11', 'lifestyle_behaviors', 'How often do you have sweetened drinks such as soda, energy drinks or sweet tea?',
     '{"type": "frequency", "data": [{"label": "Rarely or never", "value": "0"}, {"label": "A few times a week", "value": "1"}, {"label": "Once a day", "value": "2"}, {"label": "More than once a day", "value": "3"}]}',
     '[]'),
    ('12', 'lifestyle_behaviors', 'How often do you wear a seat belt when you drive or ride in a car?',
     '{"type": "frequency", "data": [{"label": "Always", "value": "0"}, {"label": "Most of the time", "value": "1"}, {"label": "Sometimes", "value": "2"}, {"label": "Rarely or never", "value": "3"}]}',
     '[]'),
    ('13', 'mental_wellbeing', 'During the past two weeks, how often have you found little interest or enjoyment in things you usually like doing?',
     '{"type": "two_weeks", "data": [{"label": "Not at all", "value": "0"}, {"label": "On several days", "value": "1"}, {"label": "On more than half the days", "value": "2"}, {"label": "Nearly every day", "value": "3"}]}',
     '[]'),
    ('14', 'mental_wellbeing', 'During the past two weeks, how often have you felt low, depressed or without hope?',
     '{"type": "two_weeks", "data": [{"label": "Not at all", "value": "0"}, {"label": "On several days", "value": "1"}, {"label": "On more than half the days", "value": "2"}, {"label": "Nearly every day", "value": "3"}]}',
     '[]'),
    ('15', 'mental_wellbeing', 'During the past two weeks, how often have you felt nervous, anxious or on edge?',
     '{"type": "two_weeks", "data": [{"label": "Not at all", "value": "0"}, {"label": "On several days", "value": "1"}, {"label": "On more than half the days", "value": "2"}, {"label": "Nearly every day", "value": "3"}]}',
     '[]'),
    ('16', 'mental_wellbeing', 'During the past two weeks, how often have you been unable to stop worrying or keep it under control?',
     '{"type": "two_weeks", "data": [{"label": "Not at all", "value": "0"}, {"label": "On several days", "value": "1"}, {"label": "On more than half the days", "value": "2"}, {"label": "Nearly every day", "value": "3"}]}',
     '[]'),
    ('17', 'mental_wellbeing', 'How would you describe the amount of stress in your life lately?',
     '{"type": "scale", "data": [{"label": "None or very little", "value": "0"}, {"label": "Some", "value": "1"}, {"label": "A fair amount", "value": "2"}, {"label": "A lot", "value": "3"}]}',
     '[]'),
    ('18', 'mental_wellbeing', 'How often do you feel lonely or cut off from other people?',
     '{"type": "frequency", "data": [{"label": "Never", "value": "0"}, {"label": "Rarely", "value": "1"}, {"label": "Sometimes", "value": "2"}, {"label": "Often", "value": "3"}, {"label": "Always", "value": "4"}]}',
     '[]'),
    ('19', 'preventative_care', 'When did you last have your blood pressure measured by a health professional?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[{"property": "age", "shouldBeGreaterThan": 17}]'),
    ('20', 'preventative_care', 'When did you last have a test for colorectal cancer, such as a stool test or a colonoscopy?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[{"property": "age", "shouldBeGreaterThan": 44, "shouldBeLessThan": 76}]'),
    ('21', 'preventative_care', 'When did you last have a cervical cancer screening (a Pap test or an HPV test)?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[{"property": "gender", "shouldBeEqual": true, "value": "female"}, {"property": "age", "shouldBeGreaterThan": 20, "shouldBeLessThan": 66}]'),
    ('22', 'preventative_care', 'When did you last have a mammogram?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[{"property": "gender", "shouldBeEqual": true, "value": "female"}, {"property": "age", "shouldBeGreaterThan": 39, "shouldBeLessThan": 75}]'),
    ('23', 'preventative_care', 'When did you last have your cholesterol checked?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[{"property": "age", "shouldBeGreaterThan": 39, "shouldBeLessThan": 76}]'),
    ('24', 'preventative_care', 'When did you last have a blood test for diabetes or prediabetes (blood sugar or A1C)?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[{"property": "age", "shouldBeGreaterThan": 34, "shouldBeLessThan": 71}]'),
    ('25', 'preventative_care', 'When did you last have a low-dose CT scan of your lungs to look for cancer?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[{"property": "age", "shouldBeGreaterThan": 49, "shouldBeLessThan": 81}]'),
    ('26', 'preventative_care', 'When did you last have a bone density scan?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[{"property": "gender", "shouldBeEqual": true, "value": "female"}, {"property": "age", "shouldBeGreaterThan": 64}]'),
    ('27', 'preventative_care', 'Have you ever had an ultrasound to check for a bulge in the main artery of your belly (abdominal aortic aneurysm)?',
     '{"type": "yes_no", "data": [{"label": "Yes", "value": "1"}, {"label": "No", "value": "0"}, {"label": "I''m not sure", "value": "2"}]}',
     '[{"property": "gender", "shouldBeEqual": true, "value": "male"}, {"property": "age", "shouldBeGreaterThan": 64, "shouldBeLessThan": 76}]'),
    ('28', 'preventative_care', 'Have you talked with a clinician about whether a PSA test for prostate cancer is right for you?',
     '{"type": "yes_no", "data": [{"label": "Yes", "value": "1"}, {"label": "No", "value": "0"}, {"label": "I''m not sure", "value": "2"}]}',
     '[{"property": "gender", "shouldBeEqual": true, "value": "male"}, {"property": "age", "shouldBeGreaterThan": 54, "shouldBeLessThan": 70}]'),
    ('29', 'preventative_care', 'Have you had a flu vaccine in the past twelve months?',
     '{"type": "yes_no", "data": [{"label": "Yes", "value": "1"}, {"label": "No", "value": "0"}, {"label": "I''m not sure", "value": "2"}]}',
     '[]'),
    ('30', 'preventative_care', 'When did you last see a dentist for a check-up or cleaning?',
     '{"type": "last_occurrence", "data": [{"label": "I don''t know", "value": "0"}, {"label": "Never", "value": "1"}, {"label": "Within the past year", "value": "2"}, {"label": "One to two years ago", "value": "3"}, {"label": "Three to five years ago", "value": "4"}, {"label": "More than five years ago", "value": "5"}]}',
     '[]');

-- Patients that exist already get their profiles.
insert into health_profile (id, organization_id, patient_id)
select openplus_new_id(), p.organization_id, p.id from patient p;
insert into health_profile_item (id, organization_id, patient_id, profile_id, question_definition_id)
select openplus_new_id(), pr.organization_id, pr.patient_id, pr.id, d.id
from health_profile pr cross join health_question_definition d;

-- Email records, written by an ingest path (a mail provider's events) and read by integrations.
create table email_history (
    id               char(24)    primary key,
    organization_id  char(24)    not null references organization (id),
    twine_email_id   text        not null unique default gen_random_uuid()::text,
    email_address    text        not null,
    email_type       text        not null,
    send_time        timestamptz not null,
    status_times     jsonb       not null default '{}',
    receiver_id      char(24)    not null references patient (id) on delete cascade,
    sender_id        char(24)    references coach (id),
    created_at       timestamptz not null default now(),
    created_by       text,
    updated_at       timestamptz not null default now(),
    updated_by       text
);
create index email_history_org_id on email_history (organization_id, id);
create index email_history_org_send_time on email_history (organization_id, send_time, id);
create index email_history_org_created on email_history (organization_id, created_at, id);
create index email_history_org_updated on email_history (organization_id, updated_at, id);
create index email_history_receiver on email_history (receiver_id, send_time, id);
create index email_history_sender on email_history (sender_id, send_time, id);
create index email_history_org_type on email_history (organization_id, email_type, id);
