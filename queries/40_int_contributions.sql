-- Every counted item of the last 730 days (the 365-day horizon and the previous period that
-- prev_rank ranks), attributed to the member's team at the item's time (joined_at <= t <
-- left_at); work done while in no team counts nowhere.
create or replace table int_contributions as
with params as (
    select * from stg_params
),
memberships as (
    select * from int_memberships
),
commits as (
    select e.username, 'commit' as kind, c.sha as item_id, c.project_id, c.title, c.web_url,
        c.authored_at as happened_at
    from int_counted_commits as c
    join int_member_emails as e on e.email = c.author_email
),
mrs as (
    select * from stg_merge_requests
),
issues as (
    select * from stg_issues
),
items as (
    select * from commits
    union all
    select author_username, 'mr_opened', mr_id::varchar, project_id, title, web_url, created_at
    from mrs
    union all
    select author_username, 'mr_merged', mr_id::varchar, project_id, title, web_url, merged_at
    from mrs
    union all
    select author_username, 'issue_opened', issue_id::varchar, project_id, title, web_url,
        created_at
    from issues
    union all
    select closed_by_username, 'issue_closed', issue_id::varchar, project_id, title, web_url,
        closed_at
    from issues
),
in_horizon as (
    select i.*
    from items as i, params as p
    where i.username is not null
        and i.happened_at >= p.as_of - to_days(730)
        and i.happened_at < p.as_of
),
final as (
    select
        m.team, i.username, i.kind, i.item_id, i.project_id, i.title, i.web_url, i.happened_at
    from in_horizon as i
    join memberships as m
        on m.username = i.username
        and (m.joined_at is null or m.joined_at <= i.happened_at)
        and (m.left_at is null or i.happened_at < m.left_at)
)
select * from final;
