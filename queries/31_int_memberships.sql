-- Memberships of the people who count: teams.csv rows minus the bots.
create or replace table int_memberships as
with memberships as (
    select * from stg_memberships
),
bots as (
    select username from int_bot_members
),
final as (
    select team, username, joined_at, left_at
    from memberships
    where username not in (select username from bots)
)
select * from final;
