-- One row per (window, period, membership): its score (each metric's count times the registry's
-- weight, summed) and its rank within its window and period. The current period is
-- leaderboard_users; the previous one gives its prev_rank.
create or replace table int_board_users as
with counts as (
    select * from int_board_counts
),
metrics as (
    select * from stg_metrics
),
scored as (
    select
        c."window", c.sort_order, c.period, c.team, c.username, c.joined_at,
        sum(c.value * m.weight)::bigint as score
    from counts as c
    join metrics as m using (metric)
    group by c."window", c.sort_order, c.period, c.team, c.username, c.joined_at
),
final as (
    select
        *,
        dense_rank() over (partition by "window", period order by score desc) as rank
    from scored
)
select * from final;
