-- Non-bot roster usernames GitLab had no user record for: they match by teams.csv emails only.
create or replace table int_unknown_usernames as
with roster as (
    select distinct m.username
    from stg_memberships as m
    where m.username not in (select username from int_bot_members)
),
users as (
    select username from stg_users
),
final as (
    select username
    from roster
    where username not in (select username from users)
)
select * from final order by username;
