-- The baseline of the full export (bench/run, see bench/README.md): every patient of one organization as one
-- JSON line, exactly the resource object GET /pub/patient/{id} answers under "data" (same members, same
-- values, same formats), built by PostgreSQL alone and streamed by COPY. bench/run checks the first line against
-- the API. psql variables: org (the organization id), web_app (the twine_web_app base URL), row_limit (ALL,
-- or 1 for that check).
--
-- Like the server's statement for an organization-scoped client, the group and coach linkage are read from the
-- arrays stored on the patient's row (V12), already in target id order.
copy (
  select json_build_object(
    'type', 'patient',
    'id', p.id,
    'attributes', json_build_object(
      'first_name', p.first_name,
      'last_name', p.last_name,
      'email_address', p.email_address,
      'phone_numbers', p.phone_numbers,
      'addresses', p.addresses,
      'identifiers', p.identifiers,
      'birth_date', p.birth_date,
      'gender', p.gender,
      'note', p.note,
      'first_access_at', to_char(p.first_access_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'invited_at', to_char(p.invited_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'enrolled_at', to_char(p.enrolled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'last_access_at', to_char(p.last_access_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'archived', p.archived,
      'archive_history', p.archive_history,
      'statement', p.statement,
      'created_at', to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'created_by', p.created_by,
      'updated_at', to_char(p.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'updated_by', p.updated_by),
    'relationships', json_build_object(
      'groups', json_build_object(
        'data', (select coalesce(json_agg(json_build_object('type', 'group', 'id', g.id) order by g.n), '[]')
                 from unnest(p.group_ids) with ordinality as g (id, n)),
        'links', json_build_object('related', '/pub/patient/' || p.id || '/groups')),
      'coaches', json_build_object(
        'data', (select coalesce(json_agg(json_build_object('type', 'coach', 'id', c.id,
                                                            'meta', json_build_object('primary', c.is_primary))
                                          order by c.n), '[]')
                 from unnest(p.coach_ids, p.coach_primary_flags) with ordinality as c (id, is_primary, n)),
        'links', json_build_object('related', '/pub/patient/' || p.id || '/coaches'))),
    'links', json_build_object(
      'self', '/pub/patient/' || p.id,
      'twine_web_app', :'web_app' || '/#/coach/patient/' || p.id || '/overview'))
  from patient p
  where p.organization_id = :'org'
  order by p.id
  limit :row_limit
) to stdout;
