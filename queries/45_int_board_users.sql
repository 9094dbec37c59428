-- One row per (window, period, membership) where a membership is one teams.csv row overlapping
-- the period, counting the work done during it, ranked within its window and period. The
-- current period is leaderboard_users; the previous one gives its prev_rank.
create or replace table int_board_users as
with periods as (
    select * from int_periods
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
    -- a person who left a team and rejoined it has two memberships, so two rows
    select
        p."window", p.sort_order, p.period, p.window_start, p.window_end,
        m.team, m.username, m.joined_at, m.left_at
    from periods as p
    join memberships as m
        on (m.joined_at is null or m.joined_at < p.window_end)
        and (m.left_at is null or m.left_at > p.window_start)
),
counts as (
    select
        r."window", r.sort_order, r.period, r.team, r.username, r.joined_at,
        count(c.item_id) filter (where c.kind = 'commit') as commits,
        count(c.item_id) filter (where c.kind = 'mr_opened') as mrs_opened,
        count(c.item_id) filter (where c.kind = 'mr_merged') as mrs_merged,
        count(c.item_id) filter (where c.kind = 'issue_opened') as issues_opened,
        count(c.item_id) filter (where c.kind = 'issue_closed') as issues_closed
    from member_rows as r
    left join contributions as c
        on c.team = r.team and c.username = r.username
        and c.happened_at >= r.window_start and c.happened_at < r.window_end
        and (r.joined_at is null or c.happened_at >= r.joined_at)
        and (r.left_at is null or c.happened_at < r.left_at)
    group by r."window", r.sort_order, r.period, r.team, r.username, r.joined_at, r.left_at
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
        *,
        dense_rank() over (partition by "window", period order by score desc) as rank
    from scored
)
select * from final;
