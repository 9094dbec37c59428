-- Bots, listed apart and never counted: each bot username (dropped roster member or bots.txt
-- name) and each bots.txt email of no bot username, with what it did in [as_of - 365d, as_of).
create or replace table bot_activity as
with params as (
    select * from stg_params
),
bot_commits as (
    select * from int_bot_commits
),
bot_usernames as (
    select username, true as on_roster,
        case reason when 'bots.txt' then 'bots_txt' else 'gitlab_bot_flag' end as source
    from int_bot_members
    union all
    select username, false, 'bots_txt'
    from stg_bot_usernames
    where username not in (select username from int_bot_members)
),
items as (
    select 'mrs_opened' as kind, author_username as username, created_at as at
    from stg_merge_requests
    union all
    select 'mrs_merged', author_username, merged_at from stg_merge_requests
    union all
    select 'issues_opened', author_username, created_at from stg_issues
    union all
    select 'issues_closed', closed_by_username, closed_at from stg_issues
),
in_horizon as (
    select i.* from items as i, params as p
    where i.at >= p.as_of - to_days(365) and i.at < p.as_of
),
by_username as (
    select b.username, null::varchar as email, b.source, b.on_roster,
        (select count(distinct c.sha) from bot_commits as c where c.username = b.username)
            as commits,
        count(*) filter (where i.kind = 'mrs_opened') as mrs_opened,
        count(*) filter (where i.kind = 'mrs_merged') as mrs_merged,
        count(*) filter (where i.kind = 'issues_opened') as issues_opened,
        count(*) filter (where i.kind = 'issues_closed') as issues_closed
    from bot_usernames as b
    left join in_horizon as i using (username)
    group by b.username, b.source, b.on_roster
),
by_email as (
    -- a bots.txt email that is an address of a bot username is counted on that username's row
    select null::varchar as username, e.email, 'bots_txt' as source,
        e.email in (select email from stg_roster_emails) as on_roster,
        (select count(distinct c.sha) from bot_commits as c where c.author_email = e.email)
            as commits,
        0 as mrs_opened, 0 as mrs_merged, 0 as issues_opened, 0 as issues_closed
    from stg_bot_emails as e
    where e.email not in (select email from int_bot_addresses)
        and noreply_bot(e.email) is null
),
final as (
    select username, email, source, on_roster, commits::bigint as commits,
        mrs_opened::bigint as mrs_opened, mrs_merged::bigint as mrs_merged,
        issues_opened::bigint as issues_opened, issues_closed::bigint as issues_closed
    from (select * from by_username union all select * from by_email)
)
select * from final order by username is null, username, email;
