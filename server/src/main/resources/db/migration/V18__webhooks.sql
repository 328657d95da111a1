-- Numbered 18: V16 is the demo client, V17 the change feed.
-- Webhook subscriptions (docs/api.md "Webhooks", docs/decisions.md "Webhooks"): each follows the change feed of
-- its scope from its own cursor and POSTs the changes, up to 100 a request, to its URL.
--
-- The signing secret is stored as it is (the server must read it to sign every delivery): whoever can read this
-- table can forge signatures. Delivery claims a due subscription by setting lease_until in one short statement
-- (select … for update skip locked), so that several server instances on one database never deliver the same
-- subscription at once and no transaction stays open across an HTTP call.
create table webhook_subscription (
    id                   char(24)    primary key,
    organization_id      char(24)    not null references organization (id),
    -- The groups of a group-scoped subscription (it sees what a client scoped to them sees); null: the organization.
    group_ids            char(24)[],
    url                  text        not null,
    -- The resource types delivered; null: every type the feed carries.
    resource_types       text[],
    secret               text        not null,
    status               text        not null default 'active' check (status in ('active', 'failing', 'disabled')),
    -- The feed cursor after the last acknowledged change (position, id; 0, 0 is the feed's start).
    cursor_position      bigint      not null default 0,
    cursor_id            bigint      not null default 0,
    -- The end of the page a failed attempt sent: the retry sends exactly the same changes (null: none pending).
    pending_position     bigint,
    pending_id           bigint,
    consecutive_failures integer     not null default 0,
    failing_since        timestamptz,
    next_attempt_at      timestamptz not null default now(),
    lease_until          timestamptz,
    last_error           text,
    created_at           timestamptz not null default now()
);
create index webhook_subscription_due on webhook_subscription (next_attempt_at) where status <> 'disabled';
create index webhook_subscription_organization on webhook_subscription (organization_id, created_at);
