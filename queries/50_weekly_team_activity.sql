-- Mart: the 26 Mondays ending with the week containing as_of, per team, zero-filled,
-- counting items with first Monday <= t < as_of.
create or replace table weekly_team_activity as
with params as (
    select * from stg_params
),
memberships as (
    select * from int_memberships
),
contributions as (
    select * from int_contributions
),
metrics as (
    select * from stg_metrics
),
metric_kinds as (
    select * from stg_metric_kinds
),
bounds as (
    select
        p.as_of,
        date_trunc('week', p.as_of)::date - to_weeks(25) as first_monday,
        date_trunc('week', p.as_of)::date as last_monday
    from params as p
),
weeks as (
    select unnest(generate_series(first_monday, last_monday, to_days(7)))::date as week
    from bounds
),
teams as (
    select distinct m.team
    from memberships as m, bounds as b
    where (m.joined_at is null or m.joined_at < b.as_of)
        and (m.left_at is null or m.left_at > b.first_monday)
),
activity as (
    -- a metric of distinct items counts them per person and week, summed over the team's
    -- people (as leaderboard_teams sums its people's rows)
    select
        date_trunc('week', c.happened_at)::date as week, c.team, m.metric,
        metric_count(m.counts_distinct, (c.username, c.item_id)) as value
    from contributions as c
    join metric_kinds as k using (kind)
    join metrics as m on m.metric = k.metric
    cross join bounds as b
    where c.happened_at >= b.first_monday and c.happened_at < b.as_of
    group by week, c.team, m.metric, m.counts_distinct
),
filled as (
    select w.week, t.team, m.metric, coalesce(a.value, 0)::bigint as value
    from weeks as w
    cross join teams as t
    cross join metrics as m
    left join activity as a on a.week = w.week and a.team = t.team and a.metric = m.metric
),
final as (
    -- one column per metric of the registry, in its order (00_metric_names.sql)
    pivot filled on metric in metric_name using max(value)
)
select * from final order by week, team;
