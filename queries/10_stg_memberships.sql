-- teams.csv rows as [joined_at, left_at) in naive UTC; a null bound means open-ended; `listed`
-- false for a person marked listed=no (counted, never named on the site).
create or replace table stg_memberships as
with source as (
    select * from input_memberships
),
final as (
    select distinct
        trim(team) as team,
        normalize(username) as username,
        joined_on::timestamp as joined_at,
        left_on::timestamp as left_at,
        coalesce(listed, true) as listed
    from source
)
select * from final;
