-- Mart: one row per (window, team) with members > 0; its figures are the sums of its
-- leaderboard_users rows, ranked against the other teams of the window. prev_rank is the
-- team's rank in the previous period (null when it had no members then).
create or replace table leaderboard_teams as
with board as (
    select * from int_board_teams
),
current_rows as (
    select * from board where period = 'current'
),
previous_rows as (
    select * from board where period = 'previous'
),
final as (
    select
        c."window", c.team, c.members::bigint as members,
        c.commits::bigint as commits, c.mrs_opened::bigint as mrs_opened,
        c.mrs_merged::bigint as mrs_merged, c.issues_opened::bigint as issues_opened,
        c.issues_closed::bigint as issues_closed, c.score::bigint as score,
        c.rank::bigint as rank, p.rank::bigint as prev_rank,
        c.sort_order
    from current_rows as c
    left join previous_rows as p on p."window" = c."window" and p.team = c.team
)
select * exclude (sort_order) from final order by sort_order, rank, team;
