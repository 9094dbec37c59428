-- One row per (window, period, team) with members in the period: the sum of its int_board_users
-- scores, ranked against the other teams of that window and period (its counts are the sums
-- of int_board_counts, taken by leaderboard_teams).
create or replace table int_board_teams as
with users as (
    select * from int_board_users
),
sums as (
    select
        "window", sort_order, period, team,
        count(distinct username) as members,
        sum(score)::bigint as score
    from users
    group by "window", sort_order, period, team
),
final as (
    select
        *,
        dense_rank() over (partition by "window", period order by score desc) as rank
    from sums
)
select * from final;
