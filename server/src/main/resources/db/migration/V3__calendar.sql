-- Calendar events of patients, and the attendee responses recorded against them.

create table calendar_event (
    id               char(24)    primary key,
    organization_id  char(24)    not null references organization (id),
    -- The patient the event is for; an event goes with its patient.
    owner_id         char(24)    not null references patient (id) on delete cascade,
    type             text        not null
                     check (type in ('plan-check-in', 'reminder', 'telephone-call', 'office-visit', 'video-call')),
    time_zone        text        not null,
    all_day          boolean     not null,
    start_at         timestamptz not null,
    end_at           timestamptz,
    title            text        not null,
    location         text,
    description      text,
    -- [{_id, user, response_status}]; the users are coaches or patients of the organization.
    attendees        jsonb       not null default '[]',
    completed_at     timestamptz,
    completed_by     char(24)    references coach (id),
    created_at       timestamptz not null default now(),
    created_by       text,
    updated_at       timestamptz not null default now(),
    updated_by       text,
    -- Both set or both null (the API answers 409 first; this keeps the table honest).
    check ((completed_at is null) = (completed_by is null))
);
create index calendar_event_org_id on calendar_event (organization_id, id);
create index calendar_event_org_start on calendar_event (organization_id, start_at, id);
create index calendar_event_org_end on calendar_event (organization_id, end_at, id);
create index calendar_event_org_completed on calendar_event (organization_id, completed_at, id);
create index calendar_event_org_created on calendar_event (organization_id, created_at, id);
create index calendar_event_org_updated on calendar_event (organization_id, updated_at, id);
create index calendar_event_owner on calendar_event (owner_id, start_at, id);
-- filter[attendees]: attendees @> '[{"user": "…"}]'.
create index calendar_event_attendees on calendar_event using gin (attendees jsonb_path_ops);

-- Every accepted POST /pub/calendar_event_response: its id is the one answered; the event's attendees hold the
-- current status.
create table calendar_event_response (
    id                char(24)    primary key,
    organization_id   char(24)    not null references organization (id),
    calendar_event_id char(24)    not null references calendar_event (id) on delete cascade,
    attendee_id       char(24)    not null,
    user_id           char(24)    not null,
    response_status   text        not null check (response_status in ('accepted', 'declined', 'tentative')),
    created_at        timestamptz not null default now(),
    created_by        text
);
create index calendar_event_response_event on calendar_event_response (calendar_event_id, created_at);
