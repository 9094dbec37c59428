-- Commit emails written in teams.csv, per lower-cased username.
create or replace table stg_roster_emails as
with source as (
    select * from input_roster_emails
),
final as (
    select distinct
        normalize(username) as username,
        normalize(email) as email
    from source
    where normalize(coalesce(email, '')) <> ''
)
select * from final;
