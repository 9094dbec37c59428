-- Roster usernames dropped as bots: listed in bots.txt, or flagged `bot` by GitLab.
create or replace table int_bot_members as
with roster as (
    select distinct username from stg_memberships
),
users as (
    select * from stg_users
),
listed as (
    select username from stg_bot_usernames
),
final as (
    select
        r.username,
        u.user_id,
        case
            when r.username in (select username from listed) then 'bots.txt'
            else 'GitLab bot flag'
        end as reason
    from roster as r
    left join users as u using (username)
    where r.username in (select username from listed) or coalesce(u.is_bot, false)
)
select * from final order by username;
