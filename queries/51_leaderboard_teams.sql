-- Mart: one row per (window, team) with members > 0; its figures are the sums of its
-- leaderboard_users rows, ranked against the other teams of the window. prev_rank is the
-- team's rank in the previous period (null when it had no members then).
create or replace table leaderboard_teams as
with board as (
    select * from int_board_teams
),
counts as (
    select * from int_board_counts
),
current_rows as (
    select * from board where period = 'current'
),
previous_rows as (
    select * from board where period = 'previous'
),
team_counts as (
    select "window", team, metric, sum(value)::bigint as value
    from counts
    where period = 'current'
    group by "window", team, metric
),
metric_columns as (
    -- one column per metric of the registry, in its order (00_metric_names.sql)
    pivot team_counts on metric in metric_name using max(value)
),
final as (
    select
        c."window", c.team, c.members::bigint as members,
        m.* exclude ("window", team),
        c.score::bigint as score, c.rank::bigint as rank, p.rank::bigint as prev_rank,
        c.sort_order
    from current_rows as c
    join metric_columns as m on m."window" = c."window" and m.team = c.team
    left join previous_rows as p on p."window" = c."window" and p.team = c.team
)
select * exclude (sort_order) from final order by sort_order, rank, team;
