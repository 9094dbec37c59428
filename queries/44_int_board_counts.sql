-- The board in long form: one row per (window, period, membership, metric) with the metric's
-- count of the work done during the membership, zero when none. A membership is one teams.csv
-- row overlapping the period. Which kinds a metric counts, and whether it counts every row or
-- distinct items, is the registry's (stg_metrics, stg_metric_kinds).
create or replace table int_board_counts as
with periods as (
    select * from int_periods
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
member_rows as (
    -- a person who left a team and rejoined it has two memberships, so two rows
    select
        p."window", p.sort_order, p.period, p.window_start, p.window_end,
        m.team, m.username, m.joined_at, m.left_at
    from periods as p
    join memberships as m
        on (m.joined_at is null or m.joined_at < p.window_end)
        and (m.left_at is null or m.left_at > p.window_start)
),
counted as (
    -- each contribution once for every metric that counts its kind
    select c.*, k.metric
    from contributions as c
    join metric_kinds as k using (kind)
),
final as (
    select
        r."window", r.sort_order, r.period, r.team, r.username, r.joined_at, m.metric,
        metric_count(m.counts_distinct, c.item_id) as value
    from member_rows as r
    cross join metrics as m
    left join counted as c
        on c.metric = m.metric and c.team = r.team and c.username = r.username
        and c.happened_at >= r.window_start and c.happened_at < r.window_end
        and (r.joined_at is null or c.happened_at >= r.joined_at)
        and (r.left_at is null or c.happened_at < r.left_at)
    group by
        r."window", r.sort_order, r.period, r.team, r.username, r.joined_at, r.left_at,
        m.metric, m.counts_distinct
)
select * from final;
