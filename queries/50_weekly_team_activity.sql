-- Mart: the 26 Mondays ending with the week containing as_of, per team, zero-filled,
-- counting items with first Monday <= t < as_of.
create or replace table weekly_team_activity as
with params as (
    select * from stg_params
),
memberships as (
    select * from int_memberships
),
contributions as (
    select * from int_contributions
),
bounds as (
    select
        p.as_of,
        date_trunc('week', p.as_of)::date - to_weeks(25) as first_monday,
        date_trunc('week', p.as_of)::date as last_monday
    from params as p
),
weeks as (
    select unnest(generate_series(first_monday, last_monday, to_days(7)))::date as week
    from bounds
),
teams as (
    select distinct m.team
    from memberships as m, bounds as b
    where (m.joined_at is null or m.joined_at < b.as_of)
        and (m.left_at is null or m.left_at > b.first_monday)
),
activity as (
    select
        date_trunc('week', c.happened_at)::date as week, c.team,
        count(*) filter (where c.kind = 'commit') as commits,
        count(*) filter (where c.kind = 'mr_opened') as mrs_opened,
        count(*) filter (where c.kind = 'mr_merged') as mrs_merged,
        count(*) filter (where c.kind = 'issue_opened') as issues_opened,
        count(*) filter (where c.kind = 'issue_closed') as issues_closed,
        -- review credit per person and MR, summed over the team's people (as leaderboard_teams)
        count(distinct (c.username, c.item_id)) filter (where c.kind = 'mr_approved')
            as mrs_approved,
        count(*) filter (where c.kind = 'review_comment') as review_comments,
        count(distinct (c.username, c.item_id))
            filter (where c.kind in ('mr_approved', 'review_comment')) as mrs_reviewed
    from contributions as c, bounds as b
    where c.happened_at >= b.first_monday and c.happened_at < b.as_of
    group by all
),
final as (
    select
        w.week, t.team,
        coalesce(a.commits, 0)::bigint as commits,
        coalesce(a.mrs_opened, 0)::bigint as mrs_opened,
        coalesce(a.mrs_merged, 0)::bigint as mrs_merged,
        coalesce(a.issues_opened, 0)::bigint as issues_opened,
        coalesce(a.issues_closed, 0)::bigint as issues_closed,
        coalesce(a.mrs_approved, 0)::bigint as mrs_approved,
        coalesce(a.review_comments, 0)::bigint as review_comments,
        coalesce(a.mrs_reviewed, 0)::bigint as mrs_reviewed
    from weeks as w
    cross join teams as t
    left join activity as a on a.week = w.week and a.team = t.team
)
select * from final order by week, team;
