-- Adherence from results, not from days. V6's action_adherence listed every local day from an action's start to
-- today and joined its results to them: an action started two years ago cost ~750 rows and a sort, and a plan
-- summary with 100 such actions and its included actions computed that 200 times (735 ms against 18 ms for one
-- action). The same definition (V6's comments, unchanged) is computed here from the action's results alone:
-- the scheduled days of a range are counted with arithmetic, so the work grows with the results an action has,
-- not with its age. A plan's adherence takes all its active actions in one query (actions_adherence).

-- The scheduled days in first..last (inclusive; none when last is before first). mask: bit d set when weekday d
-- (0 = Sunday, as extract(dow)) is scheduled. Whole weeks hold every scheduled weekday once; the days left over
-- are the next (last - first + 1) % 7 weekdays from first's, read from the mask doubled to fourteen bits. One
-- expression, no query, so that PostgreSQL inlines it into the statement that calls it.
create function scheduled_days(first date, last date, mask integer) returns integer language sql immutable as $$
    select case when last < first then 0
                else ((last - first + 1) / 7) * bit_count(mask::bit(7))::integer
                     + bit_count((((mask | (mask << 7)) >> extract(dow from first)::integer)
                                  & ((1 << ((last - first + 1) % 7)) - 1))::bit(7))::integer end
$$;

-- The adherence of each given action (V6's definition), for all of them in one query:
--   due      = scheduled_days from the local day of effective_from through today or the local day of effective_to;
--   complete = the due days with a result that is not skipped (the results' local days, each once);
--   streak   = the latest run of complete due days: a complete day d belongs to it when every due day after it
--              is complete, i.e. scheduled_days(d + 1, last) equals the complete days after d, not counting today
--              while it is due and not yet complete; updated_at = the first result of the run's latest day.
create function actions_adherence(p_actions char(24)[]) returns table (action_id char(24), adherence jsonb)
        language sql stable as $$
    with schedule as (
        select a.id, p.time_zone as tz,
               (a.effective_from at time zone p.time_zone)::date as first_day,
               least((now() at time zone p.time_zone)::date,
                     coalesce((a.effective_to at time zone p.time_zone)::date, 'infinity'::date)) as last_day,
               (now() at time zone p.time_zone)::date as today,
               coalesce((select bit_or(1 << d::integer) from jsonb_array_elements_text(
                            case when jsonb_typeof(a.frequency_goal -> 'weeks' -> 'days') = 'array'
                                 then a.frequency_goal -> 'weeks' -> 'days' else '[]'::jsonb end) d), 127) as mask
        from action a join patient_plan_summary p on p.id = a.plan_id
        where a.id = any (p_actions)
    ), done as (
        select s.id, r.day, r.first_at,
               row_number() over (partition by s.id order by r.day desc) - 1 as done_after,
               max(r.day) over (partition by s.id) = s.today as today_done,
               s.last_day, s.today, s.mask
        from schedule s
        cross join lateral (select (r.occurred_at at time zone s.tz)::date as day, min(r.occurred_at) as first_at
                            from result r where r.action_id = s.id and not r.skipped group by 1) r
        where r.day between s.first_day and s.last_day and (s.mask >> extract(dow from r.day)::integer) & 1 = 1
    ), run as (
        select d.id, d.day, d.first_at,
               scheduled_days(d.day + 1, d.last_day, d.mask) - d.done_after
                   - case when d.last_day = d.today and not d.today_done
                               and (d.mask >> extract(dow from d.today)::integer) & 1 = 1 then 1 else 0 end = 0
                   as in_streak
        from done d
    ), counted as (
        select id, count(*) as complete, count(*) filter (where in_streak) as streak,
               (array_agg(first_at order by day desc) filter (where in_streak))[1] as updated_at
        from run group by id
    )
    select s.id, jsonb_strip_nulls(jsonb_build_object(
        'due', scheduled_days(s.first_day, s.last_day, s.mask),
        'complete', coalesce(c.complete, 0),
        'streak', jsonb_build_object(
            'count', coalesce(c.streak, 0),
            'updated_at', to_char(c.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))))
    from schedule s left join counted c on c.id = s.id
$$;

create or replace function action_adherence(p_action char(24)) returns jsonb language sql stable as $$
    select adherence from actions_adherence(array[p_action])
$$;

-- As V6: due and complete summed over the active actions (started, not ended); the streak is the shortest among
-- them, with the latest of their updated_at. PL/pgSQL, so that the session keeps the plans of its two queries
-- (a SQL function plans its query on every call); the ids go to actions_adherence as a variable, so that
-- PostgreSQL inlines that function into the query rather than running it as a separate plan.
create or replace function plan_adherence(p_plan char(24)) returns jsonb language plpgsql stable as $$
declare
    active char(24)[] := array(select a.id from action a where a.plan_id = p_plan and a.effective_from <= now()
                                  and (a.effective_to is null or a.effective_to > now()));
begin
    return (select jsonb_strip_nulls(jsonb_build_object(
        'due', coalesce(sum((x ->> 'due')::int), 0),
        'complete', coalesce(sum((x ->> 'complete')::int), 0),
        'streak', jsonb_build_object(
            'count', coalesce(min((x -> 'streak' ->> 'count')::int), 0),
            'updated_at', case when coalesce(min((x -> 'streak' ->> 'count')::int), 0) > 0
                               then max(x -> 'streak' ->> 'updated_at') end)))
    from (select adherence as x from actions_adherence(active)) each_action);
end $$;
