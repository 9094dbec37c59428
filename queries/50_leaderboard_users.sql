-- Mart: one row per (window, membership) where a membership is one teams.csv row overlapping
-- the window, counting the work done during it; zeros for members without activity. prev_rank
-- is the same membership's rank in the previous period (null when it did not overlap it).
create or replace table leaderboard_users as
with board as (
    select * from int_board_users
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
metric_columns as (
    -- one column per metric of the registry, in its order (00_metric_names.sql)
    pivot (
        select "window", team, username, joined_at, metric, value
        from counts where period = 'current'
    )
    on metric in metric_name
    using max(value)
),
final as (
    select
        c."window", c.team, c.username,
        m.* exclude ("window", team, username, joined_at),
        c.score::bigint as score, c.rank::bigint as rank, p.rank::bigint as prev_rank,
        c.sort_order, c.joined_at
    from current_rows as c
    join metric_columns as m
        on m."window" = c."window" and m.team = c.team and m.username = c.username
        and m.joined_at is not distinct from c.joined_at
    left join previous_rows as p
        on p."window" = c."window" and p.team = c.team and p.username = c.username
        and p.joined_at is not distinct from c.joined_at
)
select * exclude (sort_order, joined_at)
from final
order by sort_order, rank, team, username, joined_at nulls first;
