-- Usernames listed in bots.txt.
create or replace table stg_bot_usernames as
with source as (
    select * from input_bot_usernames
),
final as (
    select distinct normalize(username) as username
    from source
    where normalize(coalesce(username, '')) <> ''
)
select * from final;
