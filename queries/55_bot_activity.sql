-- Bots, listed apart and never counted: each bot username (dropped roster member or bots.txt
-- name) and each bots.txt email of no bot username, with what it did in [as_of - 365d, as_of),
-- counted as for members by the registry's metrics that bot_activity lists.
create or replace table bot_activity as
with params as (
    select * from stg_params
),
bot_commits as (
    select * from int_bot_commits
),
metrics as (
    select * from stg_metrics where bots
),
metric_kinds as (
    select * from stg_metric_kinds
),
bot_usernames as (
    select username, null::varchar as email, true as on_roster,
        case reason when 'bots.txt' then 'bots_txt' else 'gitlab_bot_flag' end as source
    from int_bot_members
    union all
    select username, null, false, 'bots_txt'
    from stg_bot_usernames
    where username not in (select username from int_bot_members)
),
bot_emails as (
    -- a bots.txt email that is an address of a bot username is counted on that username's row
    select null::varchar as username, e.email,
        e.email in (select email from stg_roster_emails) as on_roster, 'bots_txt' as source
    from stg_bot_emails as e
    where e.email not in (select email from int_bot_addresses)
        and noreply_bot(e.email) is null
),
bots as (
    select * from bot_usernames
    union all
    select * from bot_emails
),
items as (
    -- by (username, email): a bot username's items and commits, or a bots.txt email's commits
    select i.username, null::varchar as email, i.kind, i.item_id
    from int_items as i, params as p
    where i.username in (select username from bot_usernames)
        and i.happened_at >= p.as_of - to_days(365) and i.happened_at < p.as_of
    union all
    select username, case when username is null then author_email end, 'commit', sha
    from bot_commits
),
counted as (
    select i.*, k.metric
    from items as i
    join metric_kinds as k using (kind)
),
counts as (
    select
        b.username, b.email, b.source, b.on_roster, m.metric,
        metric_count(m.counts_distinct, c.item_id) as value
    from bots as b
    cross join metrics as m
    left join counted as c
        on c.metric = m.metric
        and c.username is not distinct from b.username and c.email is not distinct from b.email
    group by b.username, b.email, b.source, b.on_roster, m.metric, m.counts_distinct
),
final as (
    -- one column per metric bot_activity lists, in the registry's order (00_metric_names.sql)
    pivot (select username, email, source, on_roster, metric, value from counts)
    on metric in bot_metric_name
    using max(value)
)
select * from final order by username is null, username, email;
