-- The client `serve --demo` issued for the demo organization. A restart shows its id again instead of issuing
-- another one; `serve --demo --rotate-demo-client` revokes it and issues the next. At most one is active, also
-- when two servers start with --demo on one database at once.
alter table api_client add column demo boolean not null default false;
create unique index api_client_one_active_demo on api_client (organization_id) where demo and revoked_at is null;
