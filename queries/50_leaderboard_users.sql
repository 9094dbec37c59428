-- Mart: one row per (window, team, username) whose membership overlaps the window, counting
-- the work done while in that team; zeros for members without activity.
create or replace table leaderboard_users as
with windows as (
    select * from int_windows
),
memberships as (
    select * from int_memberships
),
contributions as (
    select * from int_contributions
),
weights as (
    select * from score_weights
),
member_rows as (
    select distinct w."window", w.sort_order, w.window_start, w.window_end, m.team, m.username
    from windows as w
    join memberships as m
        on (m.joined_at is null or m.joined_at < w.window_end)
        and (m.left_at is null or m.left_at > w.window_start)
),
counts as (
    select
        r."window", r.sort_order, r.team, r.username,
        count(c.item_id) filter (where c.kind = 'commit') as commits,
        count(c.item_id) filter (where c.kind = 'mr_opened') as mrs_opened,
        count(c.item_id) filter (where c.kind = 'mr_merged') as mrs_merged,
        count(c.item_id) filter (where c.kind = 'issue_opened') as issues_opened,
        count(c.item_id) filter (where c.kind = 'issue_closed') as issues_closed
    from member_rows as r
    left join contributions as c
        on c.team = r.team and c.username = r.username
        and c.happened_at >= r.window_start and c.happened_at < r.window_end
    group by r."window", r.sort_order, r.team, r.username
),
scored as (
    select
        c.*,
        c.commits * w.commits + c.mrs_opened * w.mrs_opened + c.mrs_merged * w.mrs_merged
            + c.issues_opened * w.issues_opened + c.issues_closed * w.issues_closed as score
    from counts as c, weights as w
),
final as (
    select
        "window", team, username,
        commits::bigint as commits, mrs_opened::bigint as mrs_opened,
        mrs_merged::bigint as mrs_merged, issues_opened::bigint as issues_opened,
        issues_closed::bigint as issues_closed, score::bigint as score,
        dense_rank() over (partition by "window" order by score desc)::bigint as rank,
        sort_order
    from scored
)
select * exclude (sort_order) from final order by sort_order, rank, team, username;
