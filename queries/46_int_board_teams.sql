-- One row per (window, period, team) with members in the period: the sums of its
-- int_board_users rows, ranked against the other teams of that window and period.
create or replace table int_board_teams as
with users as (
    select * from int_board_users
),
sums as (
    select
        "window", sort_order, period, team,
        count(distinct username) as members,
        sum(commits) as commits, sum(mrs_opened) as mrs_opened,
        sum(mrs_merged) as mrs_merged, sum(issues_opened) as issues_opened,
        sum(issues_closed) as issues_closed, sum(score) as score
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
