-- Emails listed in bots.txt.
create or replace table stg_bot_emails as
with source as (
    select * from input_bot_emails
),
final as (
    select distinct normalize(email) as email
    from source
    where normalize(coalesce(email, '')) <> ''
)
select * from final;
