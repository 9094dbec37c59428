-- Mart: one row per (window, team) with members > 0; its figures are the sums of its
-- leaderboard_users rows, ranked against the other teams of the window.
create or replace table leaderboard_teams as
with users as (
    select * from leaderboard_users
),
windows as (
    select "window", sort_order from int_windows
),
sums as (
    select
        u."window", w.sort_order, u.team,
        count(distinct u.username) as members,
        sum(u.commits) as commits, sum(u.mrs_opened) as mrs_opened,
        sum(u.mrs_merged) as mrs_merged, sum(u.issues_opened) as issues_opened,
        sum(u.issues_closed) as issues_closed, sum(u.mrs_approved) as mrs_approved,
        sum(u.review_comments) as review_comments, sum(u.mrs_reviewed) as mrs_reviewed,
        sum(u.score) as score
    from users as u
    join windows as w using ("window")
    group by u."window", w.sort_order, u.team
),
final as (
    select
        "window", team, members::bigint as members,
        commits::bigint as commits, mrs_opened::bigint as mrs_opened,
        mrs_merged::bigint as mrs_merged, issues_opened::bigint as issues_opened,
        issues_closed::bigint as issues_closed, mrs_approved::bigint as mrs_approved,
        review_comments::bigint as review_comments, mrs_reviewed::bigint as mrs_reviewed,
        score::bigint as score,
        dense_rank() over (partition by "window" order by score desc)::bigint as rank,
        sort_order
    from sums
)
select * exclude (sort_order) from final order by sort_order, rank, team;
