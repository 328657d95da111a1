-- A patient's groups are read as "patient_id = ? and organization_id = ? order by group_id". With an index that
-- leads with organization_id, PostgreSQL could take that index for it: equality on its first column, the
-- patient as a filter on its third, the group order for free. It then walks every membership of the
-- organization for each patient. The planner picked it whenever its statistics held the organization as small,
-- e.g. an organization that had grown by a few ten thousand patients since the last ANALYZE of a table of a
-- million rows: a bulk create's answer (1000 patients) took 1.4 s instead of a few milliseconds. With the group
-- first, the index still serves the count of several groups' distinct members (group_id = any(?) and
-- organization_id = ?, index-only), and a patient's linkage can only use the primary key.
drop index patient_group_member_org_group;
create index patient_group_member_group_org on patient_group_member (group_id, organization_id, patient_id);
